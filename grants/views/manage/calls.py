"""The programme manager's call pages: the call, its setup (questions, criteria) and transitions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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


# A call's questions and its criteria are set up the same way: a form page to add one or change
# one, a button to remove one, each refused by the service once the call no longer allows it.


@dataclass(frozen=True)
class _CallPart:
    name: str  # the keyword its services and form take: "question", "criterion"
    form: type
    of: Callable  # (call, pk) -> the part, or 404
    create: Callable
    update: Callable
    delete: Callable
    template: str
    added: str
    saved: str
    removed: str


QUESTIONS = _CallPart(
    name="question",
    form=QuestionForm,
    of=question_of,
    create=call_question_create,
    update=call_question_update,
    delete=call_question_delete,
    template="manage/question_form.html",
    added=gettext_lazy("Question added."),
    saved=gettext_lazy("Question saved."),
    removed=gettext_lazy("Question removed."),
)
CRITERIA = _CallPart(
    name="criterion",
    form=CriterionForm,
    of=criterion_of,
    create=call_criterion_create,
    update=call_criterion_update,
    delete=call_criterion_delete,
    template="manage/criterion_form.html",
    added=gettext_lazy("Criterion added."),
    saved=gettext_lazy("Criterion saved."),
    removed=gettext_lazy("Criterion removed."),
)


def _part_form(request: HttpRequest, part: _CallPart, call_id: int, item_id=None) -> HttpResponse:
    call = call_for_staff(request.user, call_id)
    item = part.of(call, item_id) if item_id is not None else None
    require(policies.can_manage_call, user=request.user, call=call)
    data = request.POST if request.method == "POST" else None
    form = part.form(data, **({part.name: item} if item is not None else {}))
    if request.method == "POST" and form.is_valid():
        with refusal_as_message(request, TransitionConflict) as refused, refusal_on_form(form):
            if item is None:
                part.create(call=call, actor=request.user, **form.cleaned_data)
            else:
                part.update(**{part.name: item}, actor=request.user, **form.cleaned_data)
            messages.success(request, str(part.saved if item is not None else part.added))
            return redirect("manage-call", call_id=call.pk)
        if refused:
            return redirect("manage-call", call_id=call.pk)
    return render(
        request,
        part.template,
        {"form": form, "call": call, "programme": call.programme, "item": item},
    )


def _part_delete(request: HttpRequest, part: _CallPart, call_id: int, item_id: int):
    call = call_for_staff(request.user, call_id)
    item = part.of(call, item_id)
    require(policies.can_manage_call, user=request.user, call=call)
    with refusal_as_message(request, TransitionConflict):
        part.delete(**{part.name: item}, actor=request.user)
        messages.success(request, str(part.removed))
    return redirect("manage-call", call_id=call.pk)


@login_required
def question_create(request: HttpRequest, call_id: int) -> HttpResponse:
    return _part_form(request, QUESTIONS, call_id)


@login_required
def question_edit(request: HttpRequest, call_id: int, question_id: int) -> HttpResponse:
    return _part_form(request, QUESTIONS, call_id, question_id)


@login_required
@require_POST
def question_delete(request: HttpRequest, call_id: int, question_id: int) -> HttpResponse:
    return _part_delete(request, QUESTIONS, call_id, question_id)


@login_required
def criterion_create(request: HttpRequest, call_id: int) -> HttpResponse:
    return _part_form(request, CRITERIA, call_id)


@login_required
def criterion_edit(request: HttpRequest, call_id: int, criterion_id: int) -> HttpResponse:
    return _part_form(request, CRITERIA, call_id, criterion_id)


@login_required
@require_POST
def criterion_delete(request: HttpRequest, call_id: int, criterion_id: int) -> HttpResponse:
    return _part_delete(request, CRITERIA, call_id, criterion_id)
