"""Moderation of one application: its reviews side by side, consensus scores, an extra reviewer,
reopening a submitted review."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from applications.forms.review import (
    AssignForm,
    ConsensusForm,
    ReopenForm,
)
from applications.models import Application, ConsensusScore, Review, ReviewAssignment
from applications.selectors.applications import application_for_staff
from applications.selectors.ranking import (
    criterion_means,
    review_totals_for,
)
from applications.selectors.review import assignment_for_staff
from applications.services import moderation as moderation_services
from applications.services.moderation import moderation_record_consensus
from applications.services.review import ASSIGNABLE_STATES
from applications.views.assignments import _assign
from applications.views.review import (
    REOPENABLE_APPLICATION_STATES,
    _staff_context,
)
from grants import policies as grant_policies
from grants.models import CallReviewer
from workflows.exceptions import TransitionConflict
from workflows.models import TransitionLog
from workflows.permissions import require
from workflows.refusals import refusal_as_message, refusal_on_form
from workflows.selectors import history_of, with_state_labels


def _render_application(
    request: HttpRequest,
    application: Application,
    *,
    consensus_form: ConsensusForm | None = None,
    assign_form: AssignForm | None = None,
    status: int = 200,
) -> HttpResponse:
    call = application.call
    criteria = list(call.criteria.all())
    assignments = list(application.assignments.select_related("reviewer").order_by("pk"))
    reviews = list(
        Review.objects.filter(
            assignment__application=application,
            assignment__state=ReviewAssignment.State.SUBMITTED,
        )
        .select_related("assignment__reviewer")
        .prefetch_related("scores")
        .order_by("assignment_id")
    )
    totals = {
        row["review_id"]: row["total"]
        for row in review_totals_for(application_ids=[application.pk])
    }
    means = criterion_means(application.pk)
    consensus = {c.criterion_id: c for c in ConsensusScore.objects.filter(application=application)}
    columns = []
    for r in reviews:
        scores = {s.criterion_id: s for s in r.scores.all()}
        columns.append({"review": r, "total": totals.get(r.pk), "scores": scores})
    table = [
        {
            "criterion": c,
            "cells": [col["scores"].get(c.pk) for col in columns],
            "mean": means.get(c.pk),
            "consensus": consensus.get(c.pk),
        }
        for c in criteria
    ]
    i_manage = grant_policies.can_manage_call(user=request.user, call=call)
    context = {
        **_staff_context(request, call, "matrix"),
        "application": application,
        "assignments": assignments,
        "columns": columns,
        "table": table,
        "criteria": criteria,
        "can_moderate": i_manage and application.state == Application.State.MODERATION,
        "can_add_reviewer": i_manage and application.state in ASSIGNABLE_STATES,
        "can_reopen": i_manage and application.state in REOPENABLE_APPLICATION_STATES,
        "reopen_form": ReopenForm(auto_id="reopen_%s"),
        "history": _moderation_history(application),
    }
    if context["can_moderate"]:
        context["consensus_form"] = consensus_form or ConsensusForm(
            call=call, criteria=criteria, means=means, auto_id="consensus_%s"
        )
    if context["can_add_reviewer"]:
        taken = {a.reviewer_id for a in assignments}
        people = [
            (link.user_id, f"{link.user.display_name} <{link.user.email}>")
            for link in CallReviewer.objects.filter(call=call)
            .exclude(user_id__in=taken)
            .select_related("user")
            .order_by("user__email")
        ]
        context["assign_form"] = assign_form or AssignForm(
            initial={"application": application.pk},
            applications=[(application.pk, application.reference)],
            reviewers=people,
            auto_id="further_%s",
        )
    return render(request, "review_manage/application.html", context, status=status)


def _moderation_history(application: Application) -> list[TransitionLog]:
    return with_state_labels(
        history_of(
            application,
            transitions=["send_to_moderation", "resolve_moderation", "resume_review"],
        )
    )


@login_required
@require_GET
def application_reviews(request: HttpRequest, application_id: int) -> HttpResponse:
    application = application_for_staff(request.user, application_id)
    return _render_application(request, application)


@login_required
@require_POST
def application_consensus(request: HttpRequest, application_id: int) -> HttpResponse:
    application = application_for_staff(request.user, application_id)
    require(grant_policies.can_manage_call, user=request.user, call=application.call)
    form = ConsensusForm(
        request.POST,
        call=application.call,
        criteria=list(application.call.criteria.all()),
        means=criterion_means(application.pk),
        auto_id="consensus_%s",
    )
    if form.is_valid():
        with (
            refusal_as_message(request, TransitionConflict) as refused,
            refusal_on_form(form, aliases=form.error_aliases()),
        ):
            moderation_record_consensus(
                application=application, actor=request.user, scores=form.scores()
            )
            messages.success(
                request,
                _("Consensus recorded: %(ref)s is reviewed.") % {"ref": application.reference},
            )
            return redirect("review-manage-application", application.pk)
        if refused:
            return redirect("review-manage-application", application.pk)
    return _render_application(request, application, consensus_form=form, status=400)


@login_required
@require_POST
def application_assign(request: HttpRequest, application_id: int) -> HttpResponse:
    """The moderator adds a further reviewer."""
    application = application_for_staff(request.user, application_id)
    call = application.call
    require(grant_policies.can_manage_call, user=request.user, call=call)
    people = [
        (link.user_id, link.user.email)
        for link in CallReviewer.objects.filter(call=call).select_related("user")
    ]
    form = AssignForm(
        request.POST,
        applications=[(application.pk, application.reference)],
        reviewers=people,
        auto_id="further_%s",
    )
    assignment = _assign(request, call, form)
    if assignment is None:
        return _render_application(request, application, assign_form=form, status=400)
    messages.success(
        request,
        _("%(who)s is assigned as a further reviewer.") % {"who": assignment.reviewer.display_name},
    )
    return redirect("review-manage-application", application.pk)


@login_required
@require_POST
def assignment_reopen(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = assignment_for_staff(request.user, assignment_id)
    require(grant_policies.can_manage_call, user=request.user, call=assignment.application.call)
    form = ReopenForm(request.POST)
    form.is_valid()
    with refusal_as_message(request, TransitionConflict):
        moderation_services.assignment_reopen(
            assignment=assignment, actor=request.user, comment=form.cleaned_data.get("comment", "")
        )
        messages.success(
            request,
            _("The review by %(who)s is reopened.") % {"who": assignment.reviewer.display_name},
        )
    return redirect("review-manage-application", assignment.application_id)
