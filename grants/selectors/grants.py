"""Reads of grants after the award, always for a given viewer: the grants they may see (the
grantee's members and the programme's staff), and a grant's history."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from grants.models import Amendment, Grant, Report, Tranche
from grants.policies import STAFF_ROLES, roles_of
from workflows.models import TransitionLog


def grants_visible_to(user) -> QuerySet[Grant]:
    """The grants of the user's organisations, and every grant of the programmes they staff:
    policies.can_view_grant as a query."""
    roles = roles_of(user)
    return Grant.objects.filter(
        Q(organisation_id__in=roles.organisation_ids)
        | Q(programme_id__in=roles.programmes_with(*STAFF_ROLES))
    )


def grants_for(user) -> QuerySet[Grant]:
    """Visible grants with everything GrantSerializer reads, in constant queries."""
    return (
        grants_visible_to(user)
        .select_related("organisation", "programme", "signed_by")
        .prefetch_related("budget_lines", "tranches", "reports")
    )


def grant_history(grant: Grant) -> QuerySet[TransitionLog]:
    """Every transition of the grant and of its tranches, reports and amendments, oldest first."""
    types = ContentType.objects.get_for_models(Grant, Tranche, Report, Amendment)
    return TransitionLog.objects.filter(
        Q(content_type=types[Grant], object_id=grant.pk)
        | Q(content_type=types[Tranche], object_id__in=grant.tranches.values("pk"))
        | Q(content_type=types[Report], object_id__in=grant.reports.values("pk"))
        | Q(content_type=types[Amendment], object_id__in=grant.amendments.values("pk"))
    ).select_related("content_type", "actor")
