"""Reads of organisations, always for a given viewer."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from grants.models import Membership, Organisation
from grants.policies import STAFF_ROLES, roles_of


def organisations_visible_to(user) -> QuerySet[Organisation]:
    """The user's organisations, plus those that applied (or partner) in programmes they staff."""
    roles = roles_of(user)
    staffed = roles.programmes_with(*STAFF_ROLES)
    return Organisation.objects.filter(
        Q(id__in=roles.organisation_ids)
        | Q(applications__call__programme_id__in=staffed)
        | Q(programmes__id__in=staffed)
    ).distinct()


def organisations_of(user) -> QuerySet[Organisation]:
    return Organisation.objects.filter(id__in=roles_of(user).organisation_ids)


def members_by_organisation(organisation_ids) -> dict[int, tuple[int, ...]]:
    """{organisation_id: (user ids of its active members, sorted)}, in one query. For the
    notifications an organisation receives, not for a viewer."""
    found: dict[int, list[int]] = {}
    for org_id, user_id in Membership.objects.filter(
        organisation_id__in=set(organisation_ids), user__is_active=True
    ).values_list("organisation_id", "user_id"):
        found.setdefault(org_id, []).append(user_id)
    return {k: tuple(sorted(v)) for k, v in found.items()}
