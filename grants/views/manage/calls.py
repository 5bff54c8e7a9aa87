"""The programme manager's call pages: the call, its setup (questions, criteria) and transitions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grants import policies
from grants.forms.calls import CallForm, CriterionForm, QuestionForm
from grants.forms.common import TransitionForm
from grants.models import Call
from grants.selectors.calls import (
    attach_application_counts,
    call_for_staff,
    criterion_of,
    question_of,
)
from grants.selectors.programmes import programme_for_staff
from grants.services import calls as calls_services
from grants.services.calls import (
    CALL_TRANSITIONS,
    CRITERIA_EDITABLE_STATES,
    call_criterion_create,
    call_criterion_delete,
    call_criterion_update,
    call_question_create,
    call_question_delete,
    call_question_update,
    call_update,
)
from grants.views.manage.programmes import (
    CALL_TRANSITION_STYLE,
    COUNTRY_NAMES,
    ORG_TYPE_NAMES,
    _reminder_rows,
)
from workflows import offsets
from workflows.exceptions import TransitionConflict
from workflows.permissions import require
from workflows.refusals import refusal_as_message, refusal_on_form
from workflows.services import available_transitions


@login_required
def call_create(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_for_staff(request.user, programme_id)
    require(policies.can_manage_programme, user=request.user, programme=programme)
    form = CallForm(
        request.POST if request.method == "POST" else None,
        currency=programme.currency,
        programme=programme,
        initial={"timezone": programme.timezone, "reviewers_per_application": 2},
    )
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            call = calls_services.call_create(
                programme=programme, actor=request.user, **form.cleaned_data
            )
            messages.success(
                request,
                _("Call created as a draft. Add its questions and criteria, then publish it."),
            )
            return redirect("manage-call", call_id=call.pk)
    return render(
        request, "manage/call_form.html", {"form": form, "programme": programme, "call": None}
    )


def _call_actions(call: Call, user) -> list[dict]:
    """The transitions this user may run now, with a label, in the order of the machine."""
    available = set(available_transitions(call, user))
    labels = {t.name: t.custom.get("label", t.name) for t in call.get_all_state_transitions()}
    return [
        {
            "name": name,
            "label": labels.get(name, name),
            "style": CALL_TRANSITION_STYLE.get(name, ""),
        }
        for name in CALL_TRANSITIONS
        if name in available
    ]


@login_required
def call_detail(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_for_staff(request.user, call_id)
    i_manage = policies.is_programme_manager(user=request.user, programme_id=call.programme_id)
    attach_application_counts([call])
    return render(
        request,
        "manage/call_detail.html",
        {
            "call": call,
            "programme": call.programme,
            "country_names": [COUNTRY_NAMES.get(c, c) for c in call.eligible_countries],
            "org_type_names": [ORG_TYPE_NAMES.get(t, t) for t in call.eligible_org_types],
            "reminders": _reminder_rows(offsets.CALL_KINDS, programme=call.programme, call=call),
            "questions": call.questions.all(),
            "criteria": call.criteria.all(),
            "i_manage": i_manage,
            "actions": _call_actions(call, request.user) if i_manage else [],
            "questions_editable": i_manage and call.state == Call.State.DRAFT,
            "criteria_editable": i_manage and call.state in CRITERIA_EDITABLE_STATES,
            "question_form": QuestionForm(auto_id="new_question_%s"),
            "criterion_form": CriterionForm(auto_id="new_criterion_%s"),
            "transition_form": TransitionForm(auto_id="transition_%s"),
        },
    )


@login_required
def call_edit(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_for_staff(request.user, call_id)
    require(policies.can_manage_call, user=request.user, call=call)
    form = CallForm(
        request.POST if request.method == "POST" else None, currency=call.currency, call=call
    )
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            call_update(call=call, actor=request.user, **form.changed_fields())
            messages.success(request, _("The call was saved."))
            return redirect("manage-call", call_id=call.pk)
    return render(
        request,
        "manage/call_form.html",
        {"form": form, "programme": call.programme, "call": call},
    )


@login_required
@require_POST
def call_transition(request: HttpRequest, call_id: int, name: str) -> HttpResponse:
    call = call_for_staff(request.user, call_id)
    service = CALL_TRANSITIONS.get(name)
    if service is None:
        raise Http404
    require(policies.can_manage_call, user=request.user, call=call)
    form = TransitionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    with refusal_as_message(request, TransitionConflict):
        call = service(call=call, actor=request.user, comment=comment)
        messages.success(
            request, _("The call is now “%(state)s”.") % {"state": call.get_state_display()}
        )
    return redirect("manage-call", call_id=call.pk)


def _setup_item_form(
    request: HttpRequest,
    *,
    call: Call,
    form,
    save,
    template: str,
    saved_message: str,
    item=None,
) -> HttpResponse:
    """Shared by the question and criterion pages: validate, call the service, report."""
    if request.method == "POST" and form.is_valid():
        with refusal_as_message(request, TransitionConflict) as refused, refusal_on_form(form):
            save(form.cleaned_data)
            messages.success(request, saved_message)
            return redirect("manage-call", call_id=call.pk)
        if refused:
            return redirect("manage-call", call_id=call.pk)
    return render(
        request, template, {"form": form, "call": call, "programme": call.programme, "item": item}
    )


@login_required
def question_create(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_for_staff(request.user, call_id)
    require(policies.can_manage_call, user=request.user, call=call)
    return _setup_item_form(
        request,
        call=call,
        form=QuestionForm(request.POST if request.method == "POST" else None),
        save=lambda data: call_question_create(call=call, actor=request.user, **data),
        template="manage/question_form.html",
        saved_message=_("Question added."),
    )


@login_required
def question_edit(request: HttpRequest, call_id: int, question_id: int) -> HttpResponse:
    call = call_for_staff(request.user, call_id)
    question = question_of(call, question_id)
    require(policies.can_manage_call, user=request.user, call=call)
    return _setup_item_form(
        request,
        call=call,
        form=QuestionForm(request.POST if request.method == "POST" else None, question=question),
        save=lambda data: call_question_update(question=question, actor=request.user, **data),
        template="manage/question_form.html",
        saved_message=_("Question saved."),
        item=question,
    )


@login_required
@require_POST
def question_delete(request: HttpRequest, call_id: int, question_id: int) -> HttpResponse:
    call = call_for_staff(request.user, call_id)
    question = question_of(call, question_id)
    require(policies.can_manage_call, user=request.user, call=call)
    with refusal_as_message(request, TransitionConflict):
        call_question_delete(question=question, actor=request.user)
        messages.success(request, _("Question removed."))
    return redirect("manage-call", call_id=call.pk)


@login_required
def criterion_create(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_for_staff(request.user, call_id)
    require(policies.can_manage_call, user=request.user, call=call)
    return _setup_item_form(
        request,
        call=call,
        form=CriterionForm(request.POST if request.method == "POST" else None),
        save=lambda data: call_criterion_create(call=call, actor=request.user, **data),
        template="manage/criterion_form.html",
        saved_message=_("Criterion added."),
    )


@login_required
def criterion_edit(request: HttpRequest, call_id: int, criterion_id: int) -> HttpResponse:
    call = call_for_staff(request.user, call_id)
    criterion = criterion_of(call, criterion_id)
    require(policies.can_manage_call, user=request.user, call=call)
    return _setup_item_form(
        request,
        call=call,
        form=CriterionForm(request.POST if request.method == "POST" else None, criterion=criterion),
        save=lambda data: call_criterion_update(criterion=criterion, actor=request.user, **data),
        template="manage/criterion_form.html",
        saved_message=_("Criterion saved."),
        item=criterion,
    )


@login_required
@require_POST
def criterion_delete(request: HttpRequest, call_id: int, criterion_id: int) -> HttpResponse:
    call = call_for_staff(request.user, call_id)
    criterion = criterion_of(call, criterion_id)
    require(policies.can_manage_call, user=request.user, call=call)
    with refusal_as_message(request, TransitionConflict):
        call_criterion_delete(criterion=criterion, actor=request.user)
        messages.success(request, _("Criterion removed."))
    return redirect("manage-call", call_id=call.pk)
