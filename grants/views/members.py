"""An organisation's people: who belongs to it and in which role.

Every member of the organisation sees the page (anyone else gets a 404); its administrators
invite people, change roles, remove people and withdraw invitations (a plain member gets a
403). The rules — who may, the last administrator, duplicates, consent — are grants.services.organisations';
the views only present them.

An existing account is invited, never added: its owner accepts or declines on their dashboard
(the views at the end). The inviting administrator is told the same whether the address had an
account or not, and sees a pending invitation by its e-mail address only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordResetConfirmView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from grants import policies
from grants.forms.members import MemberInviteForm, MemberRoleForm
from grants.models import Membership, MembershipInvitation, Organisation
from grants.selectors.organisations import (
    invitation_for_invitee,
    membership_of,
    open_invitation_of,
    organisation_for_member,
)
from grants.services.organisations import (
    membership_change_role,
    membership_invitation_accept,
    membership_invitation_decline,
    membership_invitation_resend,
    membership_invitation_withdraw,
    membership_invite,
    membership_remove,
)
from workflows.exceptions import RuleViolation, TransitionConflict
from workflows.permissions import require
from workflows.refusals import refusal_as_message, refusal_on_form


def _render(
    request: HttpRequest,
    organisation: Organisation,
    form: MemberInviteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    is_admin = policies.is_org_admin(user=request.user, organisation_id=organisation.pk)
    memberships = list(
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("role", "user__full_name", "user__email")  # administrators first
    )
    for membership in memberships:
        membership.invitation_pending = (
            membership.user.is_active and not membership.user.has_usable_password()
        )
    # By e-mail only: the name is the person's to share, once they accept.
    invitations = list(
        MembershipInvitation.objects.filter(organisation=organisation, answered_at__isnull=True)
        .order_by("created_at", "pk")
        .values("pk", "user__email", "role", "created_at")
    )
    return render(
        request,
        "accounts/members.html",
        {
            "organisation": organisation,
            "memberships": memberships,
            "invitations": invitations,
            "admins": [m for m in memberships if m.role == Membership.Role.ADMIN],
            "is_admin": is_admin,
            "form": form or (MemberInviteForm() if is_admin else None),
            "ADMIN": Membership.Role.ADMIN,
            "MEMBER": Membership.Role.MEMBER,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """The list of people; a POST invites someone by e-mail."""
    organisation = organisation_for_member(request.user, organisation_id)
    if request.method == "GET":
        return _render(request, organisation)
    require(policies.can_manage_members, user=request.user, organisation_id=organisation.pk)
    form = MemberInviteForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with refusal_on_form(form):
            result = membership_invite(
                organisation=organisation,
                actor=request.user,
                email=data["email"],
                full_name=data["full_name"],
                role=data["role"],
            )
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": result.email})
            return redirect("organisation-members", organisation.pk)
    return _render(request, organisation, form, status=400)


@login_required
@require_POST
def member_role(request: HttpRequest, organisation_id: int, membership_id: int) -> HttpResponse:
    organisation = organisation_for_member(request.user, organisation_id)
    require(policies.can_manage_members, user=request.user, organisation_id=organisation.pk)
    membership = membership_of(organisation, membership_id)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose administrator or member."))
        return redirect("organisation-members", organisation.pk)
    with (
        refusal_as_message(request, RuleViolation),
        refusal_as_message(request, TransitionConflict),
    ):
        membership = membership_change_role(
            membership=membership, actor=request.user, role=form.cleaned_data["role"]
        )
        who = membership.user.display_name
        if membership.role == Membership.Role.ADMIN:
            messages.success(request, _("%(who)s is now an administrator.") % {"who": who})
        elif membership.user_id == request.user.pk:
            messages.success(request, _("You are now a member, no longer an administrator."))
        else:
            messages.success(request, _("%(who)s is now a member.") % {"who": who})
    return redirect("organisation-members", organisation.pk)


@login_required
@require_POST
def member_remove(request: HttpRequest, organisation_id: int, membership_id: int) -> HttpResponse:
    organisation = organisation_for_member(request.user, organisation_id)
    require(policies.can_manage_members, user=request.user, organisation_id=organisation.pk)
    membership = membership_of(organisation, membership_id)
    with refusal_as_message(request, TransitionConflict):
        membership_remove(membership=membership, actor=request.user)
        if membership.user_id == request.user.pk:
            messages.success(request, _("You left %(org)s.") % {"org": organisation})
            return redirect("dashboard")
        messages.success(
            request,
            _("%(who)s no longer belongs to %(org)s.")
            % {"who": membership.user.display_name, "org": organisation},
        )
    return redirect("organisation-members", organisation.pk)


@login_required
@require_POST
def member_invite_again(
    request: HttpRequest, organisation_id: int, membership_id: int
) -> HttpResponse:
    organisation = organisation_for_member(request.user, organisation_id)
    require(policies.can_manage_members, user=request.user, organisation_id=organisation.pk)
    membership = membership_of(organisation, membership_id)
    with refusal_as_message(request, TransitionConflict, level=messages.INFO):
        membership_invitation_resend(membership=membership, actor=request.user)
        messages.success(
            request,
            _("The invitation was sent again to %(email)s.") % {"email": membership.user.email},
        )
    return redirect("organisation-members", organisation.pk)


@login_required
@require_POST
def invitation_withdraw(
    request: HttpRequest, organisation_id: int, invitation_id: int
) -> HttpResponse:
    organisation = organisation_for_member(request.user, organisation_id)
    require(policies.can_manage_members, user=request.user, organisation_id=organisation.pk)
    invitation = open_invitation_of(organisation, invitation_id)
    with refusal_as_message(request, TransitionConflict, level=messages.INFO):
        membership_invitation_withdraw(invitation=invitation, actor=request.user)
        messages.success(
            request,
            _("The invitation to %(email)s was withdrawn.") % {"email": invitation.user.email},
        )
    return redirect("organisation-members", organisation.pk)


# The invited person answers (from their dashboard) ---------------------------------------


@login_required
@require_POST
def invitation_accept(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = invitation_for_invitee(request.user, invitation_id)
    with refusal_as_message(request, TransitionConflict, level=messages.INFO):
        membership = membership_invitation_accept(invitation=invitation, actor=request.user)
        values = {"org": invitation.organisation}
        if membership.role == Membership.Role.ADMIN:
            messages.success(request, _("You joined %(org)s as an administrator.") % values)
        else:
            messages.success(request, _("You joined %(org)s as a member.") % values)
    return redirect("dashboard")


@login_required
@require_POST
def invitation_decline(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = invitation_for_invitee(request.user, invitation_id)
    with refusal_as_message(request, TransitionConflict, level=messages.INFO):
        membership_invitation_decline(invitation=invitation, actor=request.user)
        messages.success(
            request,
            _("You declined the invitation to join %(org)s.") % {"org": invitation.organisation},
        )
    return redirect("dashboard")


class InvitationAcceptView(PasswordResetConfirmView):
    """A person invited to an organisation sets their password, is logged in, and lands on
    their dashboard. The link is Django's password-reset token: single use, expiring."""

    template_name = "accounts/invitation_accept.html"
    post_reset_login = True
    success_url = reverse_lazy("dashboard")

    def form_valid(self, form):
        messages.success(self.request, _("Your password is set. Welcome to Regrant."))
        return super().form_valid(form)
