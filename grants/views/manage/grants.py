"""The programme manager's page of a grant after the award: the grant with its tranches,
reports, amendments and monitoring visits, its lifecycle transitions, its public summary,
amendment decisions and visits. Every view fetches with a staff selector (404 outside the
programmes the user staffs) and states its policy with require()."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grants import policies
from grants.forms.grants import (
    AmendmentDecideForm,
    FollowUpCloseForm,
    GrantTransitionForm,
    TranchePayForm,
    VisitForm,
)
from grants.models import (
    Amendment,
    BudgetCategory,
    FollowUpAction,
    Grant,
    Report,
    Tranche,
)
from grants.selectors.cascade import (
    as_money,
    cofinancing_percent,
    subgrant_within_donor_rules,
)
from grants.selectors.grants import (
    amendment_for_staff,
    follow_up_action_for_staff,
    grant_for_staff,
)
from grants.services import amendments as amendments_services
from grants.services import visits as visits_services
from grants.services.grants import (
    GRANT_LIFECYCLE_TRANSITIONS,
    GRANT_TRANSITIONS_WITH_REASON,
    grant_change_state,
    grant_summary_update,
)
from grants.services.visits import visit_record
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.models import TransitionLog
from workflows.permissions import require
from workflows.refusals import refusal_as_message, refusal_on_form
from workflows.selectors import history_of, with_state_labels
from workflows.services import available_transitions


def _grant_redirect(grant_id: int, anchor: str = "") -> HttpResponse:
    url = reverse("manage-grant", args=[grant_id])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _subject_label(obj) -> str:
    if isinstance(obj, Tranche):
        return _("Tranche %(n)s") % {"n": obj.number}
    if isinstance(obj, Report):
        return f"{obj.get_kind_display()} {obj.number}"
    if isinstance(obj, Amendment):
        return _("Amendment: %(kind)s") % {"kind": obj.get_kind_display()}
    return _("Grant")


def _history(*objects) -> list[TransitionLog]:
    """The transition log of several objects, oldest first, with readable states."""
    subjects = {(type(obj), obj.pk): obj for obj in objects}
    entries = with_state_labels(history_of(*objects))
    for entry in entries:
        entry.subject_label = _subject_label(
            subjects[(entry.content_type.model_class(), entry.object_id)]
        )
    return entries


CATEGORY_LABELS = dict(BudgetCategory.choices)


def _attach_tranche_actions(tranches: list[Tranche], user, grant: Grant) -> None:
    finance = policies.can_finance_grant(user=user, grant=grant)
    manager = policies.can_manage_grant(user=user, grant=grant)
    for tranche in tranches:
        tranche.can_make_due = (
            manager
            and tranche.state == Tranche.State.PLANNED
            and tranche.trigger == Tranche.Trigger.MANUAL
        )
        tranche.can_approve = (
            finance and tranche.state == Tranche.State.DUE and tranche.made_due_by_id != user.pk
        )
        tranche.maker_waits = (
            finance and tranche.state == Tranche.State.DUE and tranche.made_due_by_id == user.pk
        )
        tranche.can_pay = finance and tranche.state == Tranche.State.APPROVED


def _amendment_rows(grant: Grant, amendments: list[Amendment]) -> None:
    """What each amendment asks, and what the grant had before an approved one."""
    lines = {str(line.pk): line for line in grant.budget_lines.all()}
    for amendment in amendments:
        changes, previous = amendment.changes or {}, amendment.previous or {}
        rows = []
        if amendment.kind == Amendment.Kind.BUDGET:
            old = previous.get("lines", {})
            for line_id, amount in (changes.get("lines") or {}).items():
                line = lines.get(str(line_id))
                rows.append(
                    {
                        "label": line.description if line else line_id,
                        "new": amount,
                        "old": old.get(str(line_id)),
                    }
                )
        elif amendment.kind == Amendment.Kind.EXTENSION:
            rows.append(
                {
                    "label": _("End date"),
                    "new": changes.get("end_date"),
                    "old": previous.get("end_date"),
                }
            )
        else:
            rows.append({"label": _("Activities"), "new": changes.get("description"), "old": None})
        amendment.rows = rows


def _render_grant(request: HttpRequest, grant: Grant, **forms) -> HttpResponse:
    programme = grant.programme
    user = request.user
    i_manage = policies.can_manage_grant(user=user, grant=grant)
    tranches = list(grant.tranches.select_related("made_due_by", "approved_by", "paid_by"))
    _attach_tranche_actions(tranches, user, grant)
    grant_reports = list(grant.reports.all())
    amendments = list(grant.amendments.select_related("requested_by", "decided_by"))
    _amendment_rows(grant, amendments)
    visits = list(
        grant.visits.select_related("created_by").prefetch_related(
            Prefetch("actions", queryset=FollowUpAction.objects.select_related("closed_by"))
        )
    )
    budget_lines = list(grant.budget_lines.all())  # GrantBudgetLine.category_label names them
    paid = sum((t.paid_amount or 0 for t in tranches if t.state == Tranche.State.PAID), 0)
    cofinancing = cofinancing_percent(grant)
    return render(
        request,
        "grants_manage/grant_detail.html",
        {
            "grant": grant,
            "programme": programme,
            "currency": grant.currency,
            "budget_lines": budget_lines,
            "tranches": tranches,
            "paid": as_money(paid),
            "reports": grant_reports,
            "today": timezone.localdate(),
            "amendments": amendments,
            "visits": visits,
            "history": _history(grant, *tranches, *grant_reports, *amendments),
            "cofinancing": cofinancing,
            "donor_rule_violations": subgrant_within_donor_rules(
                programme, grant.amount, cofinancing
            ),
            "i_manage": i_manage,
            "lifecycle_actions": _grant_actions(grant, user) if i_manage else [],
            "lifecycle_form": GrantTransitionForm(auto_id="lifecycle_%s"),
            "can_finance": policies.can_finance_grant(user=user, grant=grant),
            "pay_form": forms.get("pay_form") or TranchePayForm(auto_id="pay_%s"),
            "pay_tranche_id": forms.get("pay_tranche_id"),
            "amendment_form": forms.get("amendment_form")
            or AmendmentDecideForm(auto_id="amendment_%s"),
            "amendment_id": forms.get("amendment_id"),
            "visit_form": forms.get("visit_form") or VisitForm(auto_id="visit_%s"),
            "close_form": FollowUpCloseForm(auto_id=False),
        },
        status=400 if forms else 200,
    )


@login_required
def grant_detail(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = grant_for_staff(request.user, grant_id)
    return _render_grant(request, grant)


# Buttons in the grant's own order; the ones that end its normal life are set apart.
GRANT_TRANSITION_STYLE = {"suspend": "secondary", "terminate": "danger"}


def _grant_actions(grant: Grant, user) -> list[dict]:
    """The lifecycle transitions this user may run on the grant now, with their labels."""
    available = set(available_transitions(grant, user))
    labels = {t.name: t.custom.get("label", t.name) for t in grant.get_all_state_transitions()}
    return [
        {
            "name": name,
            "label": labels.get(name, name),
            "needs_reason": name in GRANT_TRANSITIONS_WITH_REASON,
            "style": GRANT_TRANSITION_STYLE.get(name, ""),
        }
        for name in GRANT_LIFECYCLE_TRANSITIONS
        if name in available
    ]


@login_required
@require_POST
def grant_transition(request: HttpRequest, grant_id: int, name: str) -> HttpResponse:
    grant = grant_for_staff(request.user, grant_id)
    if name not in GRANT_LIFECYCLE_TRANSITIONS:
        raise Http404
    require(policies.is_programme_manager, user=request.user, programme_id=grant.programme_id)
    form = GrantTransitionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    with (
        refusal_as_message(request, TransitionConflict, NotPermitted),
        refusal_as_message(request, RuleViolation),
    ):
        grant = grant_change_state(grant=grant, actor=request.user, name=name, comment=comment)
        messages.success(
            request, _("The grant is now “%(state)s”.") % {"state": grant.get_state_display()}
        )
    return _grant_redirect(grant.pk, "lifecycle")


@login_required
@require_POST
def grant_summary(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = grant_for_staff(request.user, grant_id)
    require(policies.is_programme_manager, user=request.user, programme_id=grant.programme_id)
    with refusal_as_message(request, RuleViolation, NotPermitted):
        grant_summary_update(
            grant=grant, actor=request.user, summary=request.POST.get("summary", "")
        )
        messages.success(request, _("The public summary is saved."))
    return _grant_redirect(grant.pk, "summary")


@login_required
@require_POST
def amendment_decide(request: HttpRequest, amendment_id: int) -> HttpResponse:
    amendment = amendment_for_staff(request.user, amendment_id)
    require(
        policies.is_programme_manager, user=request.user, programme_id=amendment.grant.programme_id
    )
    form = AmendmentDecideForm(request.POST, auto_id="amendment_%s")
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        with (
            refusal_as_message(request, TransitionConflict, NotPermitted) as refused,
            refusal_on_form(form),
        ):
            amendments_services.amendment_decide(
                amendment=amendment,
                actor=request.user,
                approve=approve,
                comment=form.cleaned_data["comment"],
            )
            messages.success(
                request,
                _("Amendment approved; the grant is updated.")
                if approve
                else _("Amendment rejected."),
            )
            return _grant_redirect(amendment.grant_id, "amendments")
        if refused:
            return _grant_redirect(amendment.grant_id, "amendments")
    grant = grant_for_staff(request.user, amendment.grant_id)
    return _render_grant(request, grant, amendment_form=form, amendment_id=amendment.pk)


@login_required
@require_POST
def visit_create(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = grant_for_staff(request.user, grant_id)
    require(policies.is_programme_manager, user=request.user, programme_id=grant.programme_id)
    form = VisitForm(request.POST, auto_id="visit_%s")
    if form.is_valid():
        with refusal_on_form(form):
            visit_record(
                grant=grant,
                actor=request.user,
                visited_on=form.cleaned_data["visited_on"],
                visitors=form.cleaned_data["visitors"],
                findings=form.cleaned_data["findings"],
                actions=form.actions(),
            )
            messages.success(request, _("Monitoring visit recorded."))
            return _grant_redirect(grant.pk, "visits")
    return _render_grant(request, grant, visit_form=form)


@login_required
@require_POST
def follow_up_close(request: HttpRequest, action_id: int) -> HttpResponse:
    action = follow_up_action_for_staff(request.user, action_id)
    grant = action.visit.grant
    require(policies.is_programme_manager, user=request.user, programme_id=grant.programme_id)
    form = FollowUpCloseForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    with refusal_as_message(request, TransitionConflict, NotPermitted):
        visits_services.follow_up_close(action=action, actor=request.user, note=note)
        messages.success(request, _("Follow-up action closed."))
    return _grant_redirect(grant.pk, "visits")
