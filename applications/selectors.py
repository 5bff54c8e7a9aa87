"""Reads, always for a given viewer."""

from __future__ import annotations

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from grants.policies import STAFF_ROLES, roles_of
from workflows.models import TransitionLog

from .models import Application


def applications_visible_to(user) -> QuerySet[Application]:
    """Members see their organisations' applications, drafts included; programme staff see the
    submitted applications of their programmes (a draft is the applicant's own business)."""
    roles = roles_of(user)
    staffed = roles.programmes_with(*STAFF_ROLES)
    return Application.objects.filter(
        Q(organisation_id__in=roles.organisation_ids)
        | (Q(call__programme_id__in=staffed) & ~Q(state=Application.State.DRAFT))
    ).select_related("call__programme", "organisation")


def with_budget_totals(queryset: QuerySet[Application]) -> QuerySet[Application]:
    """Annotate requested and own-contribution totals in the database (one query for a list)."""
    zero = Value(0, output_field=DecimalField(max_digits=14, decimal_places=2))
    return queryset.annotate(
        total_requested=Coalesce(Sum("budget_lines__amount_requested"), zero),
        total_own=Coalesce(Sum("budget_lines__own_contribution"), zero),
        partner_count=Count("partners", distinct=True),
    )


def application_for_user(user, application_id: int) -> Application:
    """The application with what its page needs, if this user may see it; else DoesNotExist."""
    return (
        applications_visible_to(user)
        .prefetch_related(
            "answers",
            "budget_lines",
            "attachments",
            "partners__organisation",
            "clarifications",
            "call__questions",
            "call__criteria",
        )
        .get(pk=application_id)
    )


def application_history(application: Application) -> QuerySet[TransitionLog]:
    return TransitionLog.objects.for_object(application)
