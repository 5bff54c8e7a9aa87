"""The reviewer pool of a call: add internal or external experts, invite them, remove them."""

from __future__ import annotations

import smtplib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.invitations import send_set_password_email
from applications.forms.review import (
    ReviewerAddForm,
)
from applications.models import ReviewAssignment
from applications.selectors.review import call_for_staff, pool_link_for_staff
from applications.services.review import (
    call_reviewer_add,
    call_reviewer_remove,
    reviewer_invite_needed,
)
from applications.views.review import _staff_context
from grants import policies as grant_policies
from grants.models import Call, CallReviewer
from workflows.exceptions import TransitionConflict
from workflows.permissions import require
from workflows.refusals import refusal_as_message, refusal_on_form


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
        link.invite_needed = reviewer_invite_needed(link)
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
    call = call_for_staff(request.user, call_id)
    if request.method == "GET":
        return _render_pool(request, call)
    require(grant_policies.can_manage_call, user=request.user, call=call)
    form = ReviewerAddForm(request.POST, auto_id="pool_%s")
    if form.is_valid():
        data = form.cleaned_data
        with refusal_on_form(form):
            link = call_reviewer_add(
                call=call,
                actor=request.user,
                email=data["email"],
                full_name=data["full_name"],
                country=data["country"],
                capacity=data["capacity"],
            )
            who = link.user.display_name
            if reviewer_invite_needed(link):
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
    link = pool_link_for_staff(request.user, call_id, link_id)
    require(grant_policies.can_manage_call, user=request.user, call=link.call)
    with refusal_as_message(request, TransitionConflict):
        call_reviewer_remove(link=link, actor=request.user)
        messages.success(request, _("%(who)s left the pool.") % {"who": link.user.display_name})
    return redirect("review-manage-pool", link.call_id)


@login_required
@require_POST
def pool_invite(request: HttpRequest, call_id: int, link_id: int) -> HttpResponse:
    link = pool_link_for_staff(request.user, call_id, link_id)
    require(grant_policies.can_manage_call, user=request.user, call=link.call)
    if not reviewer_invite_needed(link):
        messages.info(request, _("%(who)s can already log in.") % {"who": link.user.display_name})
    elif _send_invitation(request, link):
        messages.success(
            request, _("The invitation was sent again to %(email)s.") % {"email": link.user.email}
        )
    else:
        messages.error(request, _("The invitation could not be sent. Try again later."))
    return redirect("review-manage-pool", link.call_id)
