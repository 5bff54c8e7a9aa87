"""The review pages: the reviewer's (dashboard, conflict declaration, review form with htmx
autosave, attachments behind the conflict gate), the programme staff's (reviewer pool,
assignment matrix, moderation, ranking with the funding line, reviewer analysis, the
maker–checker decision) and the applicant's outcome page.

Every view starts with one helper that fetches the object for this user and 404s otherwise.
Reviewers see only their own assignments, and an application's content only after declaring
no conflict of interest. Programme staff (manager, approver, donor observer) read the manager
pages; only the manager acts (403 otherwise), and the services check it again.
"""

from __future__ import annotations

import smtplib
from pathlib import Path

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordResetConfirmView
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.invitations import send_set_password_email
from applications import policies, review
from applications.models import (
    Application,
    Attachment,
    AwardList,
    AwardListItem,
    ConsensusScore,
    Review,
    ReviewAssignment,
    budget_totals,
)
from applications.ranking import call_ranking, criterion_means, ranking_csv, review_totals_for
from applications.ranking import reviewer_normalisation as normalisation
from applications.review_forms import (
    AssignForm,
    ConsensusForm,
    DecisionCommentForm,
    DeclarationForm,
    DeclineForm,
    ProposeForm,
    ReopenForm,
    ReviewerAddForm,
    ReviewForm,
    plain_number,
)
from applications.review_selectors import (
    application_for_reviewer,
    assignment_for_reviewer,
    assignment_matrix,
    assignments_of_reviewer,
    calls_for_review_management,
    other_reviews_for,
    shows_applicant,
)
from grants import policies as grant_policies
from grants.models import Call, CallQuestion, CallReviewer
from grants.templatetags.money import in_zone
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.models import TransitionLog

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


# Fetch helpers: the object for this user, or 404. ------------------------------------------


def _get_assignment_for_reviewer(request: HttpRequest, assignment_id: int) -> ReviewAssignment:
    try:
        return assignment_for_reviewer(request.user, assignment_id)
    except ReviewAssignment.DoesNotExist:
        raise Http404 from None


def _get_assignment_with_content(request: HttpRequest, assignment_id: int) -> ReviewAssignment:
    """The reviewer's assignment once they declared no conflict; 404 before (or if recused)."""
    assignment = _get_assignment_for_reviewer(request, assignment_id)
    if not assignment.can_see_content:
        raise Http404
    return assignment


def _get_call_for_staff(request: HttpRequest, call_id: int) -> Call:
    try:
        return calls_for_review_management(request.user).get(pk=call_id)
    except Call.DoesNotExist:
        raise Http404 from None


def _staffed_applications(user):
    staffed = grant_policies.roles_of(user).programmes_with(*grant_policies.STAFF_ROLES)
    return (
        Application.objects.filter(call__programme_id__in=staffed)
        .exclude(state=Application.State.DRAFT)
        .select_related("call__programme", "organisation")
    )


def _get_application_for_staff(request: HttpRequest, application_id: int) -> Application:
    try:
        return _staffed_applications(request.user).get(pk=application_id)
    except Application.DoesNotExist:
        raise Http404 from None


def _get_assignment_for_staff(request: HttpRequest, assignment_id: int) -> ReviewAssignment:
    staffed = grant_policies.roles_of(request.user).programmes_with(*grant_policies.STAFF_ROLES)
    try:
        return ReviewAssignment.objects.select_related("application__call__programme").get(
            pk=assignment_id, application__call__programme_id__in=staffed
        )
    except ReviewAssignment.DoesNotExist:
        raise Http404 from None


def _get_pool_link_for_staff(request: HttpRequest, call_id: int, link_id: int) -> CallReviewer:
    call = _get_call_for_staff(request, call_id)
    try:
        return CallReviewer.objects.select_related("user", "call__programme").get(
            pk=link_id, call=call
        )
    except CallReviewer.DoesNotExist:
        raise Http404 from None


def _get_award_list_for_staff(request: HttpRequest, award_list_id: int) -> AwardList:
    staffed = grant_policies.roles_of(request.user).programmes_with(*grant_policies.STAFF_ROLES)
    try:
        return AwardList.objects.select_related("call__programme").get(
            pk=award_list_id, call__programme_id__in=staffed
        )
    except AwardList.DoesNotExist:
        raise Http404 from None


def _get_application_for_member(request: HttpRequest, application_id: int) -> Application:
    """The application if the user is a member of the applicant organisation; else 404."""
    try:
        application = Application.objects.select_related("call__programme", "organisation").get(
            pk=application_id
        )
    except Application.DoesNotExist:
        raise Http404 from None
    if not policies.is_applicant(application, request.user):
        raise Http404
    return application


def _require_manager(request: HttpRequest, call: Call) -> None:
    if not grant_policies.is_programme_manager(request.user, call.programme_id):
        raise PermissionDenied(_("Only a manager of the programme can do this."))


def _i_manage(request: HttpRequest, call: Call) -> bool:
    return grant_policies.is_programme_manager(request.user, call.programme_id)


def _is_approver(request: HttpRequest, call: Call) -> bool:
    held = grant_policies.roles_of(request.user).programme_roles.get(call.programme_id, ())
    return "approver" in held


# The reviewer ------------------------------------------------------------------------------


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
            context["reopened"] = (
                TransitionLog.objects.for_object(assignment).filter(transition="reopen").last()
            )
    return render(request, "review/assignment.html", context, status=status)


@login_required
@require_GET
def assignment_detail(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = _get_assignment_for_reviewer(request, assignment_id)
    return _render_assignment(request, assignment)


@login_required
@require_POST
def assignment_declare(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = _get_assignment_for_reviewer(request, assignment_id)
    form = DeclarationForm(request.POST, auto_id="declare_%s")
    if form.is_valid():
        try:
            review.assignment_declare(
                assignment=assignment,
                actor=request.user,
                conflict=form.has_conflict,
                reason=form.cleaned_data["reason"],
            )
        except RuleViolation as exc:
            form.add_rule_errors(exc)
        except (TransitionConflict, NotPermitted) as exc:
            messages.error(request, str(exc))
            return redirect("review-assignment", assignment.pk)
        else:
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
    return _render_assignment(request, assignment, declaration_form=form, status=400)


@login_required
@require_POST
def assignment_decline(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = _get_assignment_for_reviewer(request, assignment_id)
    form = DeclineForm(request.POST, auto_id="decline_%s")
    if form.is_valid():
        try:
            review.assignment_decline(
                assignment=assignment, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except (TransitionConflict, NotPermitted) as exc:
            messages.error(request, str(exc))
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
    assignment = _get_assignment_with_content(request, assignment_id)
    form = _review_form(request, assignment)
    if not form.is_valid():
        if request.htmx:
            return _status(
                request, assignment, form, state="error", problems=_form_messages(form), status=400
            )
        return _render_assignment(request, assignment, review_form=form, status=400)
    try:
        saved = review.review_save(
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
    except NotPermitted as exc:
        raise PermissionDenied(str(exc)) from exc
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
    assignment = _get_assignment_with_content(request, assignment_id)
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
        saved = review.review_save(
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
    except NotPermitted as exc:
        raise PermissionDenied(str(exc)) from exc
    try:
        review.review_submit(assignment=assignment, actor=request.user)
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
    assignment = _get_assignment_with_content(request, assignment_id)
    try:
        attachment = Attachment.objects.get(
            application_id=assignment.application_id, pk=attachment_id
        )
        handle = attachment.file.open("rb")
    except (Attachment.DoesNotExist, FileNotFoundError):
        raise Http404 from None
    filename = attachment.original_name
    if not shows_applicant(assignment):
        filename = f"attachment-{attachment.pk}{Path(attachment.original_name).suffix.lower()}"
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=attachment.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


class InvitationAcceptView(PasswordResetConfirmView):
    """An invited external expert sets their password, is logged in, and lands on their
    reviewer dashboard. The link is Django's password-reset token: single use, expiring."""

    template_name = "review/invitation_accept.html"
    post_reset_login = True
    success_url = reverse_lazy("review-dashboard")

    def form_valid(self, form):
        messages.success(self.request, _("Your password is set. Welcome to Regrant."))
        return super().form_valid(form)


# The applicant's outcome ---------------------------------------------------------------------


@login_required
@require_GET
def outcome(request: HttpRequest, application_id: int) -> HttpResponse:
    """The decision on an application and its evaluation summary — never reviewer names."""
    application = _get_application_for_member(request, application_id)
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


# Programme staff: the review of a call -----------------------------------------------------


def _staff_context(request: HttpRequest, call: Call, section: str) -> dict:
    return {
        "call": call,
        "programme": call.programme,
        "currency": call.currency,
        "i_manage": _i_manage(request, call),
        "section": section,
    }


@login_required
@require_GET
def call_review(request: HttpRequest, call_id: int) -> HttpResponse:
    call = _get_call_for_staff(request, call_id)
    labels = dict(Application.State.choices)
    application_counts = [
        {"state": row["state"], "label": labels.get(row["state"], row["state"]), "n": row["n"]}
        for row in Application.objects.filter(call=call)
        .exclude(state=Application.State.DRAFT)
        .values("state")
        .annotate(n=Count("pk"))
        .order_by("state")
    ]
    assignment_labels = dict(ReviewAssignment.State.choices)
    assignment_counts = [
        {"state": row["state"], "label": assignment_labels[row["state"]], "n": row["n"]}
        for row in ReviewAssignment.objects.filter(application__call=call)
        .values("state")
        .annotate(n=Count("pk"))
        .order_by("state")
    ]
    return render(
        request,
        "review_manage/call.html",
        {
            **_staff_context(request, call, "overview"),
            "application_counts": application_counts,
            "assignment_counts": assignment_counts,
            "pool_size": CallReviewer.objects.filter(call=call).count(),
            "in_moderation": Application.objects.filter(
                call=call, state=Application.State.MODERATION
            ).select_related("organisation"),
        },
    )


# The reviewer pool ---------------------------------------------------------------------------


def _send_invitation(request: HttpRequest, link: CallReviewer) -> bool:
    """A set-password link for an invited expert (built from SITE_URL, in their language);
    False when it could not be sent, so the manager is told."""
    try:
        send_set_password_email(
            link.user,
            subject_template_name="review_manage/email/invite_subject.txt",
            email_template_name="review_manage/email/invite.txt",
            context={
                "call": link.call,
                "inviter": request.user,
                "invitation_path": "review-invitation",
            },
            raise_errors=True,
        )
    except (OSError, smtplib.SMTPException):
        return False
    return True


def _open_on_call(call: Call) -> Q:
    """Assignments on this call the reviewer still has to finish."""
    return Q(
        user__review_assignments__application__call=call,
        user__review_assignments__state__in=[
            ReviewAssignment.State.INVITED,
            ReviewAssignment.State.ACCEPTED,
            ReviewAssignment.State.REOPENED,
        ],
    )


def _render_pool(
    request: HttpRequest, call: Call, form: ReviewerAddForm | None = None, status: int = 200
) -> HttpResponse:
    links = list(
        CallReviewer.objects.filter(call=call)
        .select_related("user")
        .annotate(
            open_count=Count(
                "user__review_assignments",
                filter=_open_on_call(call),
            )
        )
        .order_by("user__email")
    )
    for link in links:
        link.invite_needed = review.reviewer_invite_needed(link)
    return render(
        request,
        "review_manage/pool.html",
        {
            **_staff_context(request, call, "pool"),
            "links": links,
            "form": form or ReviewerAddForm(auto_id="pool_%s"),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def pool(request: HttpRequest, call_id: int) -> HttpResponse:
    call = _get_call_for_staff(request, call_id)
    if request.method == "GET":
        return _render_pool(request, call)
    _require_manager(request, call)
    form = ReviewerAddForm(request.POST, auto_id="pool_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            link = review.call_reviewer_add(
                call=call,
                actor=request.user,
                email=data["email"],
                full_name=data["full_name"],
                country=data["country"],
                capacity=data["capacity"],
            )
        except RuleViolation as exc:
            form.add_rule_errors(exc)
        except NotPermitted as exc:
            raise PermissionDenied(str(exc)) from exc
        else:
            who = link.user.display_name
            if review.reviewer_invite_needed(link):
                if _send_invitation(request, link):
                    messages.success(
                        request,
                        _(
                            "%(who)s is in the pool. An invitation to set a password was sent to %(email)s."
                        )
                        % {"who": who, "email": link.user.email},
                    )
                else:
                    messages.warning(
                        request,
                        _(
                            "%(who)s is in the pool, but the invitation could not be sent; try “Send the invitation again”."
                        )
                        % {"who": who},
                    )
            else:
                messages.success(request, _("%(who)s is in the pool.") % {"who": who})
            return redirect("review-manage-pool", call.pk)
    return _render_pool(request, call, form, status=400)


@login_required
@require_POST
def pool_remove(request: HttpRequest, call_id: int, link_id: int) -> HttpResponse:
    link = _get_pool_link_for_staff(request, call_id, link_id)
    _require_manager(request, link.call)
    try:
        review.call_reviewer_remove(link=link, actor=request.user)
    except TransitionConflict as exc:
        messages.error(request, exc.detail)
    except NotPermitted as exc:
        raise PermissionDenied(str(exc)) from exc
    else:
        messages.success(request, _("%(who)s left the pool.") % {"who": link.user.display_name})
    return redirect("review-manage-pool", link.call_id)


@login_required
@require_POST
def pool_invite(request: HttpRequest, call_id: int, link_id: int) -> HttpResponse:
    link = _get_pool_link_for_staff(request, call_id, link_id)
    _require_manager(request, link.call)
    if not review.reviewer_invite_needed(link):
        messages.info(request, _("%(who)s can already log in.") % {"who": link.user.display_name})
    elif _send_invitation(request, link):
        messages.success(
            request, _("The invitation was sent again to %(email)s.") % {"email": link.user.email}
        )
    else:
        messages.error(request, _("The invitation could not be sent. Try again later."))
    return redirect("review-manage-pool", link.call_id)


# The assignment matrix -----------------------------------------------------------------------


def _assign_choices(applications, reviewers) -> tuple[list, list]:
    assignable = [
        (a.pk, f"{a.reference} · {a.title}")
        for a in applications
        if a.state in review.ASSIGNABLE_STATES
    ]
    people = [(link.user_id, f"{link.user.display_name} <{link.user.email}>") for link in reviewers]
    return assignable, people


def _render_matrix(
    request: HttpRequest, call: Call, form: AssignForm | None = None, status: int = 200
) -> HttpResponse:
    matrix = assignment_matrix(call)
    reviewers = matrix["reviewers"]
    by_application: dict[int, list[ReviewAssignment]] = {}
    load: dict[int, int] = {}
    for (app_id, reviewer_id), assignment in matrix["cells"].items():
        by_application.setdefault(app_id, []).append(assignment)
        if assignment.state in ReviewAssignment.ACTIVE:
            load[reviewer_id] = load.get(reviewer_id, 0) + 1
    rows = []
    for application in matrix["applications"]:
        mine = by_application.get(application.pk, [])
        rows.append(
            {
                "application": application,
                "cells": [matrix["cells"].get((application.pk, r.user_id)) for r in reviewers],
                "active": sum(a.state in ReviewAssignment.ACTIVE for a in mine),
                "submitted": sum(a.state == ReviewAssignment.State.SUBMITTED for a in mine),
                "assignable": application.state in review.ASSIGNABLE_STATES,
            }
        )
    for link in reviewers:
        link.load = load.get(link.user_id, 0)
    applications, people = _assign_choices(matrix["applications"], reviewers)
    return render(
        request,
        "review_manage/matrix.html",
        {
            **_staff_context(request, call, "matrix"),
            "reviewers": reviewers,
            "rows": rows,
            "needed": call.reviewers_per_application,
            "form": form
            or AssignForm(applications=applications, reviewers=people, auto_id="assign_%s"),
            "gaps": sum(
                max(0, call.reviewers_per_application - r["active"])
                for r in rows
                if r["assignable"]
            ),
        },
        status=status,
    )


@login_required
@require_GET
def matrix(request: HttpRequest, call_id: int) -> HttpResponse:
    call = _get_call_for_staff(request, call_id)
    return _render_matrix(request, call)


@login_required
@require_POST
def auto_assign(request: HttpRequest, call_id: int) -> HttpResponse:
    call = _get_call_for_staff(request, call_id)
    _require_manager(request, call)
    try:
        created = review.assignments_auto_assign(call=call, actor=request.user)
    except NotPermitted as exc:
        raise PermissionDenied(str(exc)) from exc
    except TransitionConflict as exc:
        messages.error(request, exc.detail)
        return redirect("review-manage-matrix", call.pk)
    messages.success(
        request,
        ngettext("%(n)d assignment created.", "%(n)d assignments created.", created)
        % {"n": created},
    )
    return redirect("review-manage-matrix", call.pk)


def _assign(request: HttpRequest, call: Call, form: AssignForm) -> ReviewAssignment | None:
    """Validate and call the service; problems land on the form."""
    if not form.is_valid():
        return None
    User = get_user_model()
    try:
        application = Application.objects.select_related("call").get(
            pk=form.cleaned_data["application"], call=call
        )
        reviewer = User.objects.get(pk=form.cleaned_data["reviewer"])
    except (Application.DoesNotExist, User.DoesNotExist):
        form.add_error(None, _("Choose an application and a reviewer of this call."))
        return None
    try:
        return review.assignment_create(
            application=application, reviewer=reviewer, actor=request.user
        )
    except RuleViolation as exc:
        form.add_rule_errors(exc)
    except TransitionConflict as exc:
        form.add_error(None, exc.detail)
    except NotPermitted as exc:
        raise PermissionDenied(str(exc)) from exc
    return None


@login_required
@require_POST
def assign(request: HttpRequest, call_id: int) -> HttpResponse:
    call = _get_call_for_staff(request, call_id)
    _require_manager(request, call)
    matrix_data = assignment_matrix(call)
    applications, people = _assign_choices(matrix_data["applications"], matrix_data["reviewers"])
    form = AssignForm(
        request.POST, applications=applications, reviewers=people, auto_id="assign_%s"
    )
    assignment = _assign(request, call, form)
    if assignment is None:
        return _render_matrix(request, call, form, status=400)
    messages.success(
        request,
        _("%(who)s is assigned to %(ref)s.")
        % {"who": assignment.reviewer.display_name, "ref": assignment.application.reference},
    )
    return redirect("review-manage-matrix", call.pk)


# One application: reviews side by side, moderation ------------------------------------------


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
    i_manage = _i_manage(request, call)
    context = {
        **_staff_context(request, call, "matrix"),
        "application": application,
        "assignments": assignments,
        "columns": columns,
        "table": table,
        "criteria": criteria,
        "can_moderate": i_manage and application.state == Application.State.MODERATION,
        "can_add_reviewer": i_manage and application.state in review.ASSIGNABLE_STATES,
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
    labels = dict(Application.State.choices)
    history = list(
        TransitionLog.objects.for_object(application).filter(
            transition__in=["send_to_moderation", "resolve_moderation", "resume_review"]
        )
    )
    for entry in history:
        entry.from_label = labels.get(entry.from_state, entry.from_state)
        entry.to_label = labels.get(entry.to_state, entry.to_state)
    return history


@login_required
@require_GET
def application_reviews(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _get_application_for_staff(request, application_id)
    return _render_application(request, application)


@login_required
@require_POST
def application_consensus(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _get_application_for_staff(request, application_id)
    _require_manager(request, application.call)
    form = ConsensusForm(
        request.POST,
        call=application.call,
        criteria=list(application.call.criteria.all()),
        means=criterion_means(application.pk),
        auto_id="consensus_%s",
    )
    if form.is_valid():
        try:
            review.moderation_record_consensus(
                application=application, actor=request.user, scores=form.scores()
            )
        except RuleViolation as exc:
            form.add_rule_errors(exc, form.error_aliases())
        except TransitionConflict as exc:
            messages.error(request, exc.detail)
            return redirect("review-manage-application", application.pk)
        except NotPermitted as exc:
            raise PermissionDenied(str(exc)) from exc
        else:
            messages.success(
                request,
                _("Consensus recorded: %(ref)s is reviewed.") % {"ref": application.reference},
            )
            return redirect("review-manage-application", application.pk)
    return _render_application(request, application, consensus_form=form, status=400)


@login_required
@require_POST
def application_assign(request: HttpRequest, application_id: int) -> HttpResponse:
    """The moderator adds a further reviewer."""
    application = _get_application_for_staff(request, application_id)
    call = application.call
    _require_manager(request, call)
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
    assignment = _get_assignment_for_staff(request, assignment_id)
    _require_manager(request, assignment.application.call)
    form = ReopenForm(request.POST)
    form.is_valid()
    try:
        review.assignment_reopen(
            assignment=assignment, actor=request.user, comment=form.cleaned_data.get("comment", "")
        )
    except TransitionConflict as exc:
        messages.error(request, exc.detail)
    except NotPermitted as exc:
        raise PermissionDenied(str(exc)) from exc
    else:
        messages.success(
            request,
            _("The review by %(who)s is reopened.") % {"who": assignment.reviewer.display_name},
        )
    return redirect("review-manage-application", assignment.application_id)


# Ranking, export, analysis -------------------------------------------------------------------


def _ranking_items(ranking) -> list[dict]:
    """The ranked rows with the funding line drawn before the first reserve row (or after the
    last funded row when nothing is in reserve)."""
    rows = ranking.rows
    funded = {"award", "awarded"}
    line_at = next((i for i, r in enumerate(rows) if r.proposal == "reserve"), None)
    if line_at is None:
        last_funded = max((i for i, r in enumerate(rows) if r.proposal in funded), default=None)
        line_at = None if last_funded is None else last_funded + 1
    items = []
    for i, row in enumerate(rows):
        if i == line_at:
            items.append({"line": True})
        row.proposal_label = PROPOSALS.get(row.proposal, row.proposal)
        row.cells = [
            {"title": c.title, "value": row.scores[c.pk], "consensus": c.pk in row.consensus}
            for c in ranking.criteria
        ]
        row.below_line = line_at is not None and i > line_at and row.proposal in funded
        items.append({"row": row})
    if line_at is not None and line_at == len(rows):
        items.append({"line": True})
    return items


@login_required
@require_GET
def ranking(request: HttpRequest, call_id: int) -> HttpResponse:
    call = _get_call_for_staff(request, call_id)
    result = call_ranking(call)
    return render(
        request,
        "review_manage/ranking.html",
        {
            **_staff_context(request, call, "ranking"),
            "ranking": result,
            "items": _ranking_items(result),
            "column_count": 8 + len(result.criteria),
        },
    )


@login_required
@require_GET
def ranking_export(request: HttpRequest, call_id: int) -> HttpResponse:
    call = _get_call_for_staff(request, call_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = call.reference_prefix or f"call-{call.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}-ranking.csv"'
    response.write("\ufeff")  # so spreadsheet programs read UTF-8
    response.write(ranking_csv(call_ranking(call)))
    return response


@login_required
@require_GET
def reviewer_analysis(request: HttpRequest, call_id: int) -> HttpResponse:
    call = _get_call_for_staff(request, call_id)
    profiles, rows = normalisation(call)
    people = get_user_model().objects.in_bulk([p.reviewer_id for p in profiles])
    applications = Application.objects.in_bulk([r.application_id for r in rows])
    tendencies = {"harsh": _("Harsh"), "lenient": _("Lenient"), "neutral": _("Neutral")}
    for profile in profiles:
        profile.person = people.get(profile.reviewer_id)
        profile.tendency_label = tendencies[profile.tendency]
    for row in rows:
        row.application = applications.get(row.application_id)
    return render(
        request,
        "review_manage/analysis.html",
        {**_staff_context(request, call, "analysis"), "profiles": profiles, "rows": rows},
    )


# The decision (maker–checker) ----------------------------------------------------------------


def _require_approver_or_proposer(request: HttpRequest, award_list: AwardList) -> None:
    """Approving is for approvers. The proposer gets through to hear the service's refusal,
    which says why (maker–checker) rather than a bare 403."""
    if award_list.proposed_by_id != request.user.pk and not _is_approver(request, award_list.call):
        raise PermissionDenied(_("Only an approver of the programme can do this."))


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
        for log in TransitionLog.objects.filter(
            content_type=ContentType.objects.get_for_model(AwardList),
            object_id__in=[a.pk for a in lists],
            transition__in=["approve", "return_for_changes"],
        )
    }
    for award_list in lists:
        award_list.decision_comment = decisions.get(award_list.pk, "")
    pending = next((a for a in lists if a.state == AwardList.State.PROPOSED), None)
    approved = next((a for a in lists if a.state == AwardList.State.APPROVED), None)
    i_manage = _i_manage(request, call)
    context = {
        **_staff_context(request, call, "decision"),
        "lists": lists,
        "pending": pending,
        "approved": approved,
        "returned": [a for a in lists if a.state == AwardList.State.RETURNED],
        "is_proposer": pending is not None and pending.proposed_by_id == request.user.pk,
        "can_decide": pending is not None
        and _is_approver(request, call)
        and pending.proposed_by_id != request.user.pk,
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
    call = _get_call_for_staff(request, call_id)
    return _render_decision(request, call)


@login_required
@require_POST
def award_list_propose(request: HttpRequest, call_id: int) -> HttpResponse:
    call = _get_call_for_staff(request, call_id)
    _require_manager(request, call)
    result = call_ranking(call)
    awarded_rows = [
        r
        for r in result.rows
        if r.proposal == "award" and r.application.state == Application.State.REVIEWED
    ]
    form = ProposeForm(request.POST, awarded_rows=awarded_rows, auto_id="propose_%s")
    if form.is_valid():
        try:
            review.award_list_propose(
                call=call,
                actor=request.user,
                adjustments=form.adjustments(),
                comment=form.cleaned_data["comment"],
            )
        except RuleViolation as exc:
            form.add_rule_errors(exc, form.error_aliases())
        except TransitionConflict as exc:
            messages.error(request, exc.detail)
            return redirect("review-manage-decision", call.pk)
        except NotPermitted as exc:
            raise PermissionDenied(str(exc)) from exc
        else:
            messages.success(
                request,
                _("The award list is proposed. An approver — not you — must now approve it."),
            )
            return redirect("review-manage-decision", call.pk)
    return _render_decision(request, call, propose_form=form, status=400)


@login_required
@require_POST
def award_list_approve(request: HttpRequest, award_list_id: int) -> HttpResponse:
    award_list = _get_award_list_for_staff(request, award_list_id)
    call = award_list.call
    _require_approver_or_proposer(request, award_list)
    form = DecisionCommentForm(request.POST)
    form.is_valid()
    try:
        review.award_list_approve(
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
    award_list = _get_award_list_for_staff(request, award_list_id)
    call = award_list.call
    _require_approver_or_proposer(request, award_list)
    form = DecisionCommentForm(request.POST, auto_id="return_%s")
    form.is_valid()
    try:
        review.award_list_return(
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
