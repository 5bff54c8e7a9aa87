"""Award decisions: the decision page of a call, proposing, approving and returning an award list
(maker–checker), and the applicant's outcome page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from applications import policies
from applications.forms.review import (
    DecisionCommentForm,
    ProposeForm,
)
from applications.models import Application, AwardList, AwardListItem
from applications.selectors.applications import application_for_member
from applications.selectors.awards import award_list_for_staff
from applications.selectors.ranking import (
    call_ranking,
)
from applications.selectors.review import call_for_staff
from applications.services import awards as awards_services
from applications.views.review import (
    PROPOSALS,
    _staff_context,
)
from grants import policies as grant_policies
from grants.models import Call
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.permissions import require
from workflows.refusals import refusal_as_message, refusal_on_form
from workflows.selectors import history_of


@login_required
@require_GET
def outcome(request: HttpRequest, application_id: int) -> HttpResponse:
    """The decision on an application and its evaluation summary — never reviewer names."""
    application = application_for_member(request.user, application_id)
    item = (
        AwardListItem.objects.filter(
            application=application, award_list__state=AwardList.State.APPROVED
        )
        .select_related("award_list")
        .order_by("-award_list__decided_at", "-pk")
        .first()
    )
    return render(
        request,
        "review/outcome.html",
        {
            "application": application,
            "call": application.call,
            "currency": application.call.currency,
            "item": item,
        },
    )


def _render_decision(
    request: HttpRequest,
    call: Call,
    *,
    propose_form: ProposeForm | None = None,
    return_form: DecisionCommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    lists = list(
        AwardList.objects.filter(call=call)
        .select_related("proposed_by", "decided_by")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=AwardListItem.objects.select_related("application__organisation"),
            )
        )
        .order_by("-proposed_at", "-pk")
    )
    decisions = {
        log.object_id: log.comment
        for log in history_of(
            include={AwardList: [a.pk for a in lists]},
            transitions=["approve", "return_for_changes"],
        )
    }
    for award_list in lists:
        award_list.decision_comment = decisions.get(award_list.pk, "")
    pending = next((a for a in lists if a.state == AwardList.State.PROPOSED), None)
    approved = next((a for a in lists if a.state == AwardList.State.APPROVED), None)
    i_manage = grant_policies.can_manage_call(user=request.user, call=call)
    context = {
        **_staff_context(request, call, "decision"),
        "lists": lists,
        "pending": pending,
        "approved": approved,
        "returned": [a for a in lists if a.state == AwardList.State.RETURNED],
        "is_proposer": pending is not None and pending.proposed_by_id == request.user.pk,
        "can_decide": pending is not None
        and policies.can_approve_award_list(user=request.user, award_list=pending),
    }
    if pending is not None:
        context["pending_total"] = sum(
            (i.amount for i in pending.items.all() if i.outcome == "award" and i.amount),
            start=0,
        )
    if i_manage and pending is None and call.state == Call.State.IN_REVIEW:
        result = call_ranking(call)
        context["ranking"] = result
        context["unfinished"] = sum(1 for r in result.rows if r.proposal == "pending")
        awarded_rows = [
            r
            for r in result.rows
            if r.proposal == "award" and r.application.state == Application.State.REVIEWED
        ]
        for row in result.rows:
            row.proposal_label = PROPOSALS.get(row.proposal, row.proposal)
        context["propose_form"] = propose_form or ProposeForm(
            awarded_rows=awarded_rows, auto_id="propose_%s"
        )
        context["other_rows"] = [r for r in result.rows if r not in awarded_rows]
    context["approve_form"] = DecisionCommentForm(auto_id="approve_%s")
    context["return_form"] = return_form or DecisionCommentForm(auto_id="return_%s")
    return render(request, "review_manage/decision.html", context, status=status)


@login_required
@require_GET
def decision(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_for_staff(request.user, call_id)
    return _render_decision(request, call)


@login_required
@require_POST
def award_list_propose(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_for_staff(request.user, call_id)
    require(grant_policies.can_manage_call, user=request.user, call=call)
    result = call_ranking(call)
    awarded_rows = [
        r
        for r in result.rows
        if r.proposal == "award" and r.application.state == Application.State.REVIEWED
    ]
    form = ProposeForm(request.POST, awarded_rows=awarded_rows, auto_id="propose_%s")
    if form.is_valid():
        with (
            refusal_as_message(request, TransitionConflict) as refused,
            refusal_on_form(form, aliases=form.error_aliases()),
        ):
            awards_services.award_list_propose(
                call=call,
                actor=request.user,
                adjustments=form.adjustments(),
                comment=form.cleaned_data["comment"],
            )
            messages.success(
                request,
                _("The award list is proposed. An approver — not you — must now approve it."),
            )
            return redirect("review-manage-decision", call.pk)
        if refused:
            return redirect("review-manage-decision", call.pk)
    return _render_decision(request, call, propose_form=form, status=400)


@login_required
@require_POST
def award_list_approve(request: HttpRequest, award_list_id: int) -> HttpResponse:
    award_list = award_list_for_staff(request.user, award_list_id)
    call = award_list.call
    require(policies.can_answer_award_list, user=request.user, award_list=award_list)
    form = DecisionCommentForm(request.POST)
    form.is_valid()
    try:
        awards_services.award_list_approve(
            award_list=award_list, actor=request.user, comment=form.cleaned_data.get("comment", "")
        )
    except NotPermitted as exc:
        # Maker–checker: shown on the page, with 403.
        messages.error(request, str(exc))
        return _render_decision(request, call, status=403)
    except TransitionConflict as exc:
        messages.error(request, exc.detail)
        return redirect("review-manage-decision", call.pk)
    messages.success(request, _("The award list is approved. Applicants are told the outcome."))
    return redirect("review-manage-decision", call.pk)


@login_required
@require_POST
def award_list_return(request: HttpRequest, award_list_id: int) -> HttpResponse:
    award_list = award_list_for_staff(request.user, award_list_id)
    call = award_list.call
    require(policies.can_answer_award_list, user=request.user, award_list=award_list)
    form = DecisionCommentForm(request.POST, auto_id="return_%s")
    form.is_valid()
    try:
        awards_services.award_list_return(
            award_list=award_list, actor=request.user, comment=form.cleaned_data.get("comment", "")
        )
    except RuleViolation as exc:
        form.add_rule_errors(exc)
        return _render_decision(request, call, return_form=form, status=400)
    except NotPermitted as exc:
        messages.error(request, str(exc))
        return _render_decision(request, call, status=403)
    except TransitionConflict as exc:
        messages.error(request, exc.detail)
        return redirect("review-manage-decision", call.pk)
    messages.success(request, _("The award list is returned to the manager."))
    return redirect("review-manage-decision", call.pk)
