"""The reviewer's pages: dashboard, conflict declaration, the review form with htmx autosave,
attachments behind the conflict gate, and the page an invited expert follows to set a password.
Also what the other review pages share: the staff context and the proposal labels. Every object
is fetched for the user by a selector (applications.selectors), 404 otherwise."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordResetConfirmView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from applications.forms.review import (
    DeclarationForm,
    DeclineForm,
    ReviewForm,
    plain_number,
)
from applications.models import (
    Application,
    Review,
    ReviewAssignment,
    budget_totals,
)
from applications.selectors.applications import attachment_of
from applications.selectors.review import (
    application_for_reviewer,
    assignment_for_reviewer,
    assignment_with_content_for_reviewer,
    assignments_of_reviewer,
    other_reviews_for,
    shows_applicant,
)
from applications.services import review as review_services
from grants import policies as grant_policies
from grants.models import Call, CallQuestion
from grants.templatetags.money import in_zone
from grants.uploads import upload_response
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.refusals import refusal_as_message, refusal_on_form
from workflows.selectors import history_of

EDITABLE = (ReviewAssignment.State.ACCEPTED, ReviewAssignment.State.REOPENED)


REOPENABLE_APPLICATION_STATES = (
    Application.State.IN_REVIEW,
    Application.State.REVIEWED,
    Application.State.MODERATION,
)


PROPOSALS = {
    "award": gettext_lazy("Award"),
    "reserve": gettext_lazy("Reserve"),
    "reject": gettext_lazy("Reject"),
    "awarded": gettext_lazy("Awarded"),
    "pending": gettext_lazy("Review not finished"),
}


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    assignments = list(assignments_of_reviewer(request.user))
    for assignment in assignments:
        assignment.show_applicant = shows_applicant(assignment)
    return render(request, "review/dashboard.html", {"assignments": assignments})


def _content_context(assignment: ReviewAssignment) -> dict:
    """What the reviewer reads once the gate is open. In blind review, partners and file names
    (which often carry the organisation's name) are shown without their identity."""
    application = application_for_reviewer(assignment)
    blind = not shows_applicant(assignment)
    answers = {a.question_id: a.value for a in application.answers.all()}
    attachments = list(application.attachments.all())
    for number, attachment in enumerate(attachments, start=1):
        attachment.label = (
            _("Attachment %(n)d (%(kind)s)")
            % {"n": number, "kind": Path(attachment.original_name).suffix.lstrip(".") or "file"}
            if blind
            else attachment.original_name
        )
    questions = [
        {
            "question": question,
            "answer": answers.get(question.pk, ""),
            "is_file": question.kind == CallQuestion.Kind.FILE,
            "files": [a for a in attachments if a.question_id == question.pk],
        }
        for question in application.call.questions.all()
    ]
    lines = list(application.budget_lines.all())
    return {
        "application": application,
        "questions": questions,
        "other_attachments": [a for a in attachments if a.question_id is None],
        "budget_lines": lines,
        "totals": budget_totals(lines),
        "partners": list(application.partners.all()),
        "criteria": list(application.call.criteria.all()),
    }


def _anonymised(reviews: list[Review], criteria) -> list[dict]:
    order = {c.pk: i for i, c in enumerate(criteria)}
    return [
        {
            "label": _("Reviewer %(n)d") % {"n": number},
            "review": other,
            "scores": sorted(other.scores.all(), key=lambda s: order.get(s.criterion_id, 0)),
        }
        for number, other in enumerate(reviews, start=1)
    ]


def _render_assignment(
    request: HttpRequest,
    assignment: ReviewAssignment,
    *,
    declaration_form: DeclarationForm | None = None,
    decline_form: DeclineForm | None = None,
    review_form: ReviewForm | None = None,
    submit_problems: list[str] | None = None,
    stale: str = "",
    status: int = 200,
) -> HttpResponse:
    call = assignment.application.call
    context = {
        "assignment": assignment,
        "call": call,
        "currency": call.currency,
        "show_applicant": shows_applicant(assignment),
        "submit_problems": submit_problems or [],
        "stale": stale,
        "step": plain_number(call.score_step),
        "page_url": reverse("review-assignment", args=[assignment.pk]),
    }
    if assignment.state == ReviewAssignment.State.INVITED:
        context["declaration_form"] = declaration_form or DeclarationForm(auto_id="declare_%s")
        context["decline_form"] = decline_form or DeclineForm(auto_id="decline_%s")
    if assignment.can_see_content:
        content = _content_context(assignment)
        context.update(content)
        saved = Review.objects.filter(assignment=assignment).prefetch_related("scores").first()
        context["editable"] = assignment.state in EDITABLE
        context["review"] = saved
        if context["editable"]:
            form = review_form or ReviewForm(
                initial=ReviewForm.initial_for(saved),
                call=call,
                criteria=content["criteria"],
                auto_id="review_%s",
            )
            context["form"] = form
            context["rows"] = form.rows()
        else:
            scores = {s.criterion_id: s for s in saved.scores.all()} if saved else {}
            context["readonly_rows"] = [
                {"criterion": c, "score": scores.get(c.pk)} for c in content["criteria"]
            ]
        context["other_reviews"] = _anonymised(other_reviews_for(assignment), content["criteria"])
        if assignment.state == ReviewAssignment.State.REOPENED:
            context["reopened"] = history_of(assignment, transitions=["reopen"]).last()
    return render(request, "review/assignment.html", context, status=status)


@login_required
@require_GET
def assignment_detail(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = assignment_for_reviewer(request.user, assignment_id)
    return _render_assignment(request, assignment)


@login_required
@require_POST
def assignment_declare(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = assignment_for_reviewer(request.user, assignment_id)
    form = DeclarationForm(request.POST, auto_id="declare_%s")
    if form.is_valid():
        with (
            refusal_as_message(request, TransitionConflict, NotPermitted) as refused,
            refusal_on_form(form),
        ):
            review_services.assignment_declare(
                assignment=assignment,
                actor=request.user,
                conflict=form.has_conflict,
                reason=form.cleaned_data["reason"],
            )
            if form.has_conflict:
                messages.success(
                    request,
                    _(
                        "Thank you. You are recused from “%(title)s”; another reviewer takes "
                        "your place."
                    )
                    % {"title": assignment.application.title},
                )
                return redirect("review-dashboard")
            messages.success(
                request, _("You declared no conflict of interest. The application is open.")
            )
            return redirect("review-assignment", assignment.pk)
        if refused:
            return redirect("review-assignment", assignment.pk)
    return _render_assignment(request, assignment, declaration_form=form, status=400)


@login_required
@require_POST
def assignment_decline(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = assignment_for_reviewer(request.user, assignment_id)
    form = DeclineForm(request.POST, auto_id="decline_%s")
    if form.is_valid():
        with refusal_as_message(request, TransitionConflict, NotPermitted) as refused:
            review_services.assignment_decline(
                assignment=assignment, actor=request.user, reason=form.cleaned_data["reason"]
            )
        if refused:
            return redirect("review-assignment", assignment.pk)
        messages.success(
            request,
            _("You declined “%(title)s”; another reviewer takes your place.")
            % {"title": assignment.application.title},
        )
        return redirect("review-dashboard")
    return _render_assignment(request, assignment, decline_form=form, status=400)


def _review_form(request: HttpRequest, assignment: ReviewAssignment, data=None) -> ReviewForm:
    return ReviewForm(
        data if data is not None else request.POST,
        call=assignment.application.call,
        criteria=list(assignment.application.call.criteria.all()),
        auto_id="review_%s",
    )


def _status(
    request: HttpRequest,
    assignment: ReviewAssignment,
    form: ReviewForm,
    *,
    state: str,
    problems: list[str] | None = None,
    version: int | None = None,
    status: int = 200,
) -> HttpResponse:
    """The autosave answer: the status region, every field's error slot (so old errors
    clear), and the new version, all swapped by htmx (base.html lets 400 and 409 swap)."""
    html = render_to_string(
        "review/_autosave.html",
        {
            "state": state,
            "problems": problems or [],
            "saved_at": in_zone(timezone.now(), form.call.timezone),
            "form": form,
            "version": version,
            "page_url": reverse("review-assignment", args=[assignment.pk]),
        },
        request=request,
    )
    return HttpResponse(html, status=status)


@login_required
@require_POST
def review_save(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Autosave (htmx) and the "Save" button without JavaScript."""
    assignment = assignment_with_content_for_reviewer(request.user, assignment_id)
    form = _review_form(request, assignment)
    if not form.is_valid():
        if request.htmx:
            return _status(
                request, assignment, form, state="error", problems=_form_messages(form), status=400
            )
        return _render_assignment(request, assignment, review_form=form, status=400)
    try:
        saved = review_services.review_save(
            assignment=assignment, actor=request.user, **form.service_kwargs()
        )
    except RuleViolation as exc:
        form.add_rule_errors(exc, form.error_aliases())
        if request.htmx:
            return _status(
                request, assignment, form, state="error", problems=exc.messages, status=400
            )
        return _render_assignment(request, assignment, review_form=form, status=400)
    except TransitionConflict as exc:
        stale = exc.detail if exc.code == "stale_version" else ""
        if request.htmx:
            return _status(
                request, assignment, form, state="conflict", problems=[exc.detail], status=409
            )
        if stale:
            return _render_assignment(
                request, assignment, review_form=form, stale=stale, status=409
            )
        messages.error(request, exc.detail)
        return redirect("review-assignment", assignment.pk)
    if request.htmx:
        return _status(request, assignment, form, state="saved", version=saved.version)
    messages.success(
        request,
        _("Saved at %(time)s.") % {"time": in_zone(saved.updated_at, form.call.timezone)},
    )
    return redirect(reverse("review-assignment", args=[assignment.pk]) + "#review")


def _form_messages(form) -> list[str]:
    return [str(m) for errors in form.errors.values() for m in errors]


@login_required
@require_POST
def review_submit(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Save what the form holds, then submit: every problem is listed at once, and what was
    typed stays in the form (and saved). A second click finds the review submitted."""
    assignment = assignment_with_content_for_reviewer(request.user, assignment_id)
    if assignment.state == ReviewAssignment.State.SUBMITTED:
        # A double click, or a second tab: the first press did it. Say so, not "error".
        return _submitted(request, assignment)
    form = _review_form(request, assignment)
    if not form.is_valid():
        return _render_assignment(
            request,
            assignment,
            review_form=form,
            submit_problems=_form_messages(form),
            status=400,
        )
    try:
        saved = review_services.review_save(
            assignment=assignment, actor=request.user, **form.service_kwargs()
        )
    except RuleViolation as exc:
        form.add_rule_errors(exc, form.error_aliases())
        return _render_assignment(
            request, assignment, review_form=form, submit_problems=exc.messages, status=400
        )
    except TransitionConflict as exc:
        if exc.code == "stale_version":
            return _render_assignment(
                request, assignment, review_form=form, stale=exc.detail, status=409
            )
        if _now_submitted(assignment):
            return _submitted(request, assignment)
        messages.error(request, exc.detail)
        return redirect("review-assignment", assignment.pk)
    try:
        review_services.review_submit(assignment=assignment, actor=request.user)
    except RuleViolation as exc:
        # Saved, not submitted: the form goes on from the saved version.
        data = request.POST.copy()
        data["version"] = str(saved.version)
        form = _review_form(request, assignment, data)
        form.is_valid()
        form.add_rule_errors(exc, form.error_aliases())
        return _render_assignment(
            request, assignment, review_form=form, submit_problems=exc.messages, status=400
        )
    except (TransitionConflict, NotPermitted) as exc:
        if _now_submitted(assignment):
            return _submitted(request, assignment)
        messages.error(request, str(exc))
        return redirect("review-assignment", assignment.pk)
    return _submitted(request, assignment)


def _now_submitted(assignment: ReviewAssignment) -> bool:
    """Did a concurrent press (double click, second tab) submit it in the meantime?"""
    state = ReviewAssignment.objects.filter(pk=assignment.pk).values_list("state", flat=True)
    return state.first() == ReviewAssignment.State.SUBMITTED


def _submitted(request: HttpRequest, assignment: ReviewAssignment) -> HttpResponse:
    messages.success(
        request,
        _("Your review is submitted. It can only change if a moderator reopens it."),
    )
    return redirect("review-assignment", assignment.pk)


@login_required
@require_GET
def attachment_download(
    request: HttpRequest, assignment_id: int, attachment_id: int
) -> HttpResponse:
    """An attachment of the assigned application, only after the no-conflict declaration.
    Streamed under its original name — or a neutral one in blind review."""
    assignment = assignment_with_content_for_reviewer(request.user, assignment_id)
    attachment = attachment_of(assignment.application_id, attachment_id)
    filename = None
    if not shows_applicant(assignment):
        filename = f"attachment-{attachment.pk}{Path(attachment.original_name).suffix.lower()}"
    return upload_response(attachment, filename=filename)


class InvitationAcceptView(PasswordResetConfirmView):
    """An invited external expert sets their password, is logged in, and lands on their
    reviewer dashboard. The link is Django's password-reset token: single use, expiring."""

    template_name = "review/invitation_accept.html"
    post_reset_login = True
    success_url = reverse_lazy("review-dashboard")

    def form_valid(self, form):
        messages.success(self.request, _("Your password is set. Welcome to Regrant."))
        return super().form_valid(form)


def _staff_context(request: HttpRequest, call: Call, section: str) -> dict:
    return {
        "call": call,
        "programme": call.programme,
        "currency": call.currency,
        "i_manage": grant_policies.can_manage_call(user=request.user, call=call),
        "section": section,
    }
