"""Reads of applications, always for a given viewer: the applications they may see, one of them
or 404 (for its members, for anyone who may see it, for its programme's staff), the call an
applicant reads, budget totals in the database, an application's history."""

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
from django.http import Http404

from applications import policies
from applications.models import Application, Attachment, BudgetLine, Partner
from grants.models import Call
from grants.policies import roles_of
from grants.roles import STAFF_ROLES
from grants.selectors.calls import calls_visible_to
from workflows.models import TransitionLog
from workflows.selectors import history_of, object_or_404


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


def applications_of_member(user) -> QuerySet[Application]:
    """The applications of the user's own organisations, drafts included (the applicant's
    dashboard): what programme staff may see of others' applications is not among them."""
    return applications_visible_to(user).filter(organisation_id__in=roles_of(user).organisation_ids)


def _staffed_applications(user) -> QuerySet[Application]:
    """The submitted applications of the programmes the user staffs."""
    staffed = roles_of(user).programmes_with(*STAFF_ROLES)
    return (
        Application.objects.filter(call__programme_id__in=staffed)
        .exclude(state=Application.State.DRAFT)
        .select_related("call__programme", "organisation")
    )


def _application_with_content(user, application_id, *, for_update: bool = False) -> Application:
    """The application with what its page needs, if this user may see it; else 404."""
    return object_or_404(
        applications_visible_to(user).prefetch_related(
            "answers",
            "budget_lines",
            "attachments",
            "partners__organisation",
            "clarifications",
            "call__questions",
            "call__criteria",
        ),
        application_id,
        for_update=for_update,
    )


def application_for_viewer(user, application_id, *, for_update: bool = False) -> Application:
    """Anyone who may see the application: its members and its programme's staff; else 404."""
    return object_or_404(applications_visible_to(user), application_id, for_update=for_update)


def application_for_member(user, application_id, *, for_update: bool = False) -> Application:
    """The application if the user is a member of the applicant organisation; else 404."""
    application = object_or_404(
        Application.objects.select_related("call__programme", "organisation"),
        application_id,
        for_update=for_update,
    )
    if not policies.can_act_for_applicant(user=user, application=application):
        raise Http404
    return application


def application_with_content_for_member(
    user, application_id, *, for_update: bool = False
) -> Application:
    """The application with what the applicant's pages need (answers, budget, files, partners,
    clarifications, the call's questions and criteria), if the user is a member of the applicant
    organisation. Everyone else — programme staff included, who have their own pages — gets
    404."""
    application = _application_with_content(user, application_id, for_update=for_update)
    if not policies.can_act_for_applicant(user=user, application=application):
        raise Http404
    return application


def application_for_staff(user, application_id, *, for_update: bool = False) -> Application:
    """A submitted application in a programme this user staffs; else 404."""
    return object_or_404(_staffed_applications(user), application_id, for_update=for_update)


def application_with_content_for_staff(
    user, application_id, *, for_update: bool = False
) -> Application:
    """A submitted application in a programme this user staffs, with what its page needs; else
    404. Being a member of the applicant organisation does not open the manager's page: that is
    the applicant's own view."""
    try:
        application_id = int(application_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if not _staffed_applications(user).filter(pk=application_id).exists():
        raise Http404
    return _application_with_content(user, application_id, for_update=for_update)


def call_for_applicant(user, call_id, *, for_update: bool = False) -> Call:
    """A published call for anyone; a draft only for its programme's staff (what
    grants.selectors.calls.call_for_user reads); else 404."""
    return object_or_404(calls_visible_to(user), call_id, for_update=for_update)


def application_history(application: Application) -> QuerySet[TransitionLog]:
    return history_of(application)


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


def attachment_of(application_id: int, attachment_id) -> Attachment:
    """An attachment of an application already fetched for its viewer, or 404."""
    return object_or_404(Attachment.objects.filter(application_id=application_id), attachment_id)


def partner_of(application_id: int, partner_id) -> Partner:
    """A partner of an application already fetched for its viewer, or 404."""
    return object_or_404(Partner.objects.filter(application_id=application_id), partner_id)
