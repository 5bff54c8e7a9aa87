"""Reads of applications, always for a given viewer: the applications they may see, one of them
or 404, budget totals in the database, an application's history."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import (
    Count,
    DecimalField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from applications.models import Application, BudgetLine, Partner
from grants.policies import STAFF_ROLES, roles_of
from workflows.models import TransitionLog


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
    """Annotate requested and own-contribution totals and the partner count in the database
    (one query for a list). Subqueries, not joins: joining budget lines and partners in one
    GROUP BY would multiply the sums by the number of partners."""
    lines = BudgetLine.objects.filter(application=OuterRef("pk")).values("application")
    money = DecimalField(max_digits=14, decimal_places=2)
    zero = Value(0, output_field=money)
    return queryset.annotate(
        total_requested=Coalesce(
            Subquery(lines.annotate(s=Sum("amount_requested")).values("s")[:1], output_field=money),
            zero,
        ),
        total_own=Coalesce(
            Subquery(lines.annotate(s=Sum("own_contribution")).values("s")[:1], output_field=money),
            zero,
        ),
        partner_count=Coalesce(
            Subquery(
                Partner.objects.filter(application=OuterRef("pk"))
                .values("application")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            Value(0),
        ),
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


def applications_for(user) -> QuerySet[Application]:
    """Visible applications with everything ApplicationSerializer reads, in constant queries."""
    return applications_visible_to(user).prefetch_related(
        "answers",
        "budget_lines",
        Prefetch("partners", queryset=Partner.objects.select_related("organisation")),
        "attachments",
        "clarifications",
    )


def application_counts_by_call(call_ids) -> dict[int, list[tuple[str, str, int]]]:
    """{call_id: [(state, label, n), …]} for submitted applications, the states in the order of
    the state machine, in one query for all the calls. Drafts are not counted: they are the
    applicant's business until submitted."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Application.objects.filter(call_id__in=list(call_ids))
        .exclude(state=Application.State.DRAFT)
        .values_list("call_id", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for call_id, state, n in rows:
        counts[call_id][state] = n
    return {
        call_id: [
            (state, label, by_state[state])
            for state, label in Application.State.choices
            if state in by_state
        ]
        for call_id, by_state in counts.items()
    }
