"""An application after the editor: submission and its receipt, the read-only application with
its history, withdrawal, and answering a clarification request."""

from __future__ import annotations

from django.contrib import messages
from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applications.forms.applications import (
    ClarificationAnswerForm,
    WithdrawForm,
)
from applications.models import Application, budget_totals
from applications.selectors.applications import (
    application_history,
    application_with_content_for_member,
)
from applications.services import applications as applications_services
from applications.services.screening import application_answer_clarification
from applications.views.calls import _public_state
from applications.views.editor import _render_edit, _save_draft
from grants.forms.common import posted_version
from grants.models import (
    CallQuestion,
)
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.refusals import refusal_as_message, refusal_on_form

# Comments on these transitions are written for the applicant; others may be internal notes.
APPLICANT_VISIBLE_COMMENTS = {
    "submit",
    "withdraw",
    "request_clarification",
    "resubmit",
    "mark_eligible",
    "mark_ineligible",
}


@require_POST
def application_submit(request: HttpRequest, application_id: int) -> HttpResponse:
    """Save what the form holds, then submit. A second click (or a second tab) finds the
    application submitted and lands on the receipt; a refusal keeps the draft and says why."""
    application = application_with_content_for_member(request.user, application_id)
    if not application.is_editable:
        return _already_submitted(request, application)
    version = posted_version(request.POST)
    if version is not None:
        result = _save_draft(request, application, version)
        if result.conflict is not None:
            if result.conflict.code == "not_editable":
                return _already_submitted(request, application)
            return _render_edit(
                request,
                application,
                draft=result.draft,
                version=version,
                conflict=result.conflict,
                submit_error=_("Not submitted: the application changed since you opened it."),
                status=409,
            )
        if result.saved is None or result.draft.messages_for_status():
            return _render_edit(
                request,
                application,
                draft=result.draft,
                version=result.saved.version if result.saved else version,
                submit_error=_("Not submitted: fix what is marked below first."),
                status=400,
            )
    try:
        application = applications_services.application_submit(
            application=application, actor=request.user
        )
    except RuleViolation as exc:
        return _render_edit(
            request,
            application,
            submit_error=exc.detail,
            submit_problems=exc.messages,
            status=400,
        )
    except TransitionConflict as exc:
        if exc.code == "already_submitted":
            return _already_submitted(request, application)
        return _render_edit(request, application, submit_error=exc.detail, status=409)
    messages.success(request, _("Your application was submitted."))
    return redirect("application-receipt", application.pk)


def _already_submitted(request: HttpRequest, application: Application) -> HttpResponse:
    application.refresh_from_db(fields=["state", "reference"])
    if application.state == Application.State.SUBMITTED and application.reference:
        messages.info(request, _("This application is already submitted."))
        return redirect("application-receipt", application.pk)
    return redirect("application-detail", application.pk)


@require_GET
def application_receipt(request: HttpRequest, application_id: int) -> HttpResponse:
    application = application_with_content_for_member(request.user, application_id)
    if application.is_editable or not application.reference:
        return redirect("application-edit", application.pk)
    return render(
        request,
        "applications/receipt.html",
        {
            "application": application,
            "call": application.call,
            "totals": budget_totals(application.budget_lines.all()),
        },
    )


def _history(application: Application) -> list[dict]:
    """The TransitionLog as the applicant sees it: public state names, members by name and
    staff as "the programme team"; steps that do not change the public status are left out."""
    member_ids = set(application.organisation.memberships.values_list("user_id", flat=True))
    rows = []
    for log in application_history(application):
        before, after = _public_state(log.from_state), _public_state(log.to_state)
        if before == after:
            continue
        if log.actor_id is None:
            who = _("Regrant (automatic)")
        elif log.actor_id in member_ids:
            who = log.actor.display_name
        else:
            who = _("Programme team")
        rows.append(
            {
                "when": log.created_at,
                "who": who,
                "from": before,
                "to": after,
                "comment": log.comment if log.transition in APPLICANT_VISIBLE_COMMENTS else "",
            }
        )
    return rows


@require_GET
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    application = application_with_content_for_member(request.user, application_id)
    if application.is_editable:
        return redirect("application-edit", application.pk)
    return _render_detail(request, application)


def _render_detail(
    request: HttpRequest,
    application: Application,
    *,
    clarification_form: ClarificationAnswerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    application = application_with_content_for_member(request.user, application.pk)
    answers = {a.question_id: a.value for a in application.answers.all()}
    clarifications = list(application.clarifications.all())
    open_clarification = next((c for c in clarifications if c.answered_at is None), None)
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "call": application.call,
            "currency": application.call.programme.currency,
            "answers": [
                (question, answers.get(question.pk, ""))
                for question in application.call.questions.all()
                if question.kind != CallQuestion.Kind.FILE
            ],
            "lines": application.budget_lines.all(),
            "totals": budget_totals(application.budget_lines.all()),
            "clarifications": clarifications,
            "open_clarification": open_clarification
            if application.state == Application.State.CLARIFICATION_REQUESTED
            else None,
            "clarification_form": clarification_form or ClarificationAnswerForm(),
            "can_withdraw": application.state in Application.BEFORE_DECISION,
            "history": _history(application),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def application_withdraw(request: HttpRequest, application_id: int) -> HttpResponse:
    application = application_with_content_for_member(request.user, application_id)
    if application.state not in Application.BEFORE_DECISION:
        messages.error(request, _("This application can no longer be withdrawn."))
        return redirect("application-detail", application.pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_as_message(request, TransitionConflict, NotPermitted):
            applications_services.application_withdraw(
                application=application, actor=request.user, comment=form.cleaned_data["comment"]
            )
            messages.success(request, _("The application was withdrawn."))
        return redirect("application-detail", application.pk)
    return render(request, "applications/withdraw.html", {"application": application, "form": form})


@require_POST
def application_clarify(request: HttpRequest, application_id: int) -> HttpResponse:
    application = application_with_content_for_member(request.user, application_id)
    form = ClarificationAnswerForm(request.POST)
    if form.is_valid():
        with (
            refusal_as_message(request, TransitionConflict, NotPermitted) as refused,
            refusal_on_form(form),
        ):
            application_answer_clarification(
                application=application, actor=request.user, answer=form.cleaned_data["answer"]
            )
            messages.success(
                request, _("Thank you. Your answer was sent and the application resubmitted.")
            )
            return redirect("application-detail", application.pk)
        if refused:
            return redirect("application-detail", application.pk)
    return _render_detail(request, application, clarification_form=form, status=400)
