"""Writes of organisations and their people: the profile, invitations (an existing account must
accept), roles, removal — never leaving an organisation without an administrator."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import policies
from grants.models import Membership, MembershipInvitation, Organisation
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.permissions import require


def organisation_create(*, actor, **fields) -> Organisation:
    """Create an organisation; its creator becomes its administrator."""
    with transaction.atomic():
        organisation = Organisation.objects.create(**fields)
        Membership.objects.create(user=actor, organisation=organisation, role=Membership.Role.ADMIN)
    policies.forget_roles(actor)
    return organisation


def organisation_update(*, organisation: Organisation, actor, **fields) -> Organisation:
    require(
        policies.can_edit_organisation,
        user=actor,
        organisation=organisation,
        message=_("Only an administrator of the organisation can change its profile."),
    )
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
    return organisation


@dataclass(frozen=True)
class MemberInvitation:
    """What inviting an address did. Whoever shows it to the inviting administrator says the
    same for both cases ("Invitation sent to <email>"): whether an address has an account, and
    whose, is not theirs to learn."""

    email: str  # the address as the administrator gave it, normalised
    role: str
    # A new address: its new account (without a password) is a member at once.
    membership: Membership | None = None
    # An existing account: a member only once its owner accepts.
    invitation: MembershipInvitation | None = None
    password_link_sent: bool = False  # an e-mail with a set-password link goes out on commit

    @property
    def account_created(self) -> bool:
        return self.membership is not None


def _admin_ids(organisation_id: int) -> set[int]:
    return set(
        Membership.objects.filter(
            organisation_id=organisation_id, role=Membership.Role.ADMIN
        ).values_list("user_id", flat=True)
    )


def _lock_for_admin(organisation_id: int, actor) -> set[int]:
    """Lock the organisation and return its administrators' user ids; NotPermitted unless
    the actor is one of them now (they may have been demoted a moment ago)."""
    Organisation.objects.select_for_update().get(pk=organisation_id)
    admins = _admin_ids(organisation_id)
    if actor.pk not in admins:
        raise NotPermitted(_("Only an administrator of the organisation can manage its people."))
    return admins


def _check_role(role: str) -> None:
    if role not in Membership.Role.values:
        raise RuleViolation({"role": [_("Choose administrator or member.")]})


def _current_membership(membership: Membership) -> Membership:
    """The membership as it is now, read under the organisation's lock."""
    current = (
        Membership.objects.filter(pk=membership.pk, organisation_id=membership.organisation_id)
        .select_related("user", "organisation")
        .first()
    )
    if current is None:
        raise TransitionConflict(
            _("This person is no longer a member of the organisation."), code="not_a_member"
        )
    return current


def _is_last_admin(membership: Membership, admins: set[int]) -> bool:
    return membership.role == Membership.Role.ADMIN and not admins - {membership.user_id}


def _already_member(email: str, organisation: Organisation) -> RuleViolation:
    return RuleViolation(
        {
            "email": [
                _("%(email)s is already a member of %(org)s.")
                % {"email": email, "org": organisation}
            ]
        },
        code="already_member",
    )


def _membership_create(*, organisation: Organisation, user, role: str) -> Membership:
    if Membership.objects.filter(organisation_id=organisation.pk, user=user).exists():
        raise _already_member(user.email, organisation)
    return Membership.objects.create(organisation=organisation, user=user, role=role)


def _invitation_needed(user) -> bool:
    """Someone who cannot log in yet (no password set) needs the set-password e-mail."""
    return user.is_active and not user.has_usable_password()


def _invitation_create(
    *, organisation: Organisation, actor, user, email: str, role: str
) -> MembershipInvitation:
    """An open invitation for an existing account, and the notification that tells its owner.
    Call under the organisation's lock."""
    from workflows.models import Notification
    from workflows.notifications import notify

    if Membership.objects.filter(organisation_id=organisation.pk, user=user).exists():
        raise _already_member(email, organisation)
    already_invited = RuleViolation(
        {
            "email": [
                _("%(email)s is already invited to %(org)s: they join once they accept.")
                % {"email": email, "org": organisation}
            ]
        },
        code="already_invited",
    )
    if MembershipInvitation.objects.filter(
        organisation_id=organisation.pk, user=user, answered_at__isnull=True
    ).exists():
        raise already_invited
    try:
        with transaction.atomic():  # the unique constraint decides between two at once
            invitation = MembershipInvitation.objects.create(
                organisation=organisation, user=user, role=role, invited_by=actor
            )
    except IntegrityError:
        raise already_invited from None
    notify(
        Notification.Kind.MEMBERSHIP_INVITED,
        recipients=[user.pk],
        key=f"invitation:{invitation.pk}",
        url="/dashboard/",
        subject=f"Invitation to join {organisation.legal_name}",
        params={"invitation": invitation.pk},
    )
    return invitation


def membership_invite(
    *,
    organisation: Organisation,
    actor,
    email: str,
    full_name: str = "",
    role: str = Membership.Role.MEMBER,
) -> MemberInvitation:
    """Invite a person by e-mail. Only administrators may.

    - An address without an account: an account is made without a usable password, it is a
      member at once (a new account holds no other role that membership could bend), and an
      e-mail (in the invitee's language) with a link to set a password goes out on commit.
    - An existing account is never added: it gets an invitation, which its owner accepts or
      declines on their dashboard (told through the notification outbox). If it cannot log
      in yet (no password), it also gets the set-password link.

    Someone already a member, or already invited, is refused (400)."""
    from django.contrib.auth import get_user_model

    require(policies.can_manage_members, user=actor, organisation_id=organisation.pk)
    email = (email or "").strip().lower()
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter the e-mail address of the person to invite.")]
    if role not in Membership.Role.values:
        errors["role"] = [_("Choose administrator or member.")]
    if errors:
        raise RuleViolation(errors)
    User = get_user_model()
    with transaction.atomic():
        _lock_for_admin(organisation.pk, actor)
        user = User.objects.filter(email__iexact=email).first()
        created = False
        if user is None:
            try:
                with transaction.atomic():  # another organisation may invite them right now
                    user = User.objects.create_user(
                        email=email, password=None, full_name=(full_name or "").strip()
                    )
                created = True
            except IntegrityError:
                user = User.objects.get(email__iexact=email)  # it exists now: invite it
        if created:
            membership = _membership_create(organisation=organisation, user=user, role=role)
            _send_invitation_on_commit(membership, inviter=actor)
            result = MemberInvitation(email, role, membership=membership, password_link_sent=True)
        else:
            invitation = _invitation_create(
                organisation=organisation, actor=actor, user=user, email=email, role=role
            )
            password_link = _invitation_needed(user)
            if password_link:
                _send_invitation_password_on_commit(invitation, inviter=actor)
            result = MemberInvitation(
                email, role, invitation=invitation, password_link_sent=password_link
            )
    policies.forget_roles(user)
    return result


def membership_invitation_resend(*, membership: Membership, actor) -> Membership:
    """Send the set-password e-mail again, to a member who has not set a password yet."""
    require(policies.can_manage_members, user=actor, organisation_id=membership.organisation_id)
    with transaction.atomic():
        _lock_for_admin(membership.organisation_id, actor)
        membership = _current_membership(membership)
        if not _invitation_needed(membership.user):
            raise TransitionConflict(
                _("%(who)s can already log in.") % {"who": membership.user.display_name},
                code="already_active",
            )
        _send_invitation_on_commit(membership, inviter=actor)
    return membership


def _send_invitation_on_commit(membership: Membership, *, inviter) -> None:
    membership_id, inviter_id = membership.pk, inviter.pk
    # robust: a failure is logged, not raised into the committed change (the page offers to
    # send the invitation again).
    transaction.on_commit(
        lambda: membership_invitation_send(membership_id=membership_id, inviter_id=inviter_id),
        robust=True,
    )


def membership_invitation_send(*, membership_id: int, inviter_id: int | None) -> None:
    """The e-mail inviting a new member to set their password, in their language."""
    from django.contrib.auth import get_user_model

    from accounts.invitations import send_set_password_email

    membership = (
        Membership.objects.filter(pk=membership_id).select_related("user", "organisation").first()
    )
    if membership is None or not _invitation_needed(membership.user):
        return  # removed, or they set a password, in the meantime
    inviter = get_user_model().objects.filter(pk=inviter_id).first()
    send_set_password_email(
        membership.user,
        subject_template_name="accounts/email/member_invite_subject.txt",
        email_template_name="accounts/email/member_invite.txt",
        context={
            "organisation": membership.organisation,
            "role": membership.role,
            "membership": membership,
            "inviter": inviter,
        },
    )


def _send_invitation_password_on_commit(invitation: MembershipInvitation, *, inviter) -> None:
    invitation_id, inviter_id = invitation.pk, inviter.pk
    transaction.on_commit(
        lambda: membership_invitation_password_send(
            invitation_id=invitation_id, inviter_id=inviter_id
        ),
        robust=True,
    )


def membership_invitation_password_send(*, invitation_id: int, inviter_id: int | None) -> None:
    """The set-password e-mail for an invited account that cannot log in yet (an invited
    reviewer, say): it sets a password, then answers the invitation on its dashboard."""
    from django.contrib.auth import get_user_model

    from accounts.invitations import send_set_password_email

    invitation = (
        MembershipInvitation.objects.filter(pk=invitation_id, answered_at__isnull=True)
        .select_related("user", "organisation")
        .first()
    )
    if invitation is None or not _invitation_needed(invitation.user):
        return  # withdrawn or answered, or they set a password, in the meantime
    inviter = get_user_model().objects.filter(pk=inviter_id).first()
    send_set_password_email(
        invitation.user,
        subject_template_name="accounts/email/member_invite_subject.txt",
        email_template_name="accounts/email/member_invite.txt",
        context={
            "organisation": invitation.organisation,
            "role": invitation.role,
            "invitation": invitation,
            "inviter": inviter,
        },
    )


def _open_invitation(invitation: MembershipInvitation, actor) -> MembershipInvitation:
    """The invitation as it is now, locked (after its organisation, in the same order as every
    other change to the organisation's people). Someone else's is not found (404); one
    already answered or withdrawn is a conflict (409)."""
    if actor is None or invitation.user_id != actor.pk:
        raise MembershipInvitation.DoesNotExist("No such invitation.")
    Organisation.objects.select_for_update().get(pk=invitation.organisation_id)
    current = (
        MembershipInvitation.objects.select_for_update()
        .filter(pk=invitation.pk, user_id=actor.pk)
        .first()
    )
    if current is None:
        raise TransitionConflict(_("This invitation was withdrawn."), code="invitation_withdrawn")
    if current.answered_at is not None:
        raise TransitionConflict(
            _("You answered this invitation already."), code="invitation_answered"
        )
    return current


def membership_invitation_accept(*, invitation: MembershipInvitation, actor) -> Membership:
    """The invited person joins the organisation, in the role they were invited to."""
    with transaction.atomic():
        current = _open_invitation(invitation, actor)
        membership = Membership.objects.filter(
            organisation_id=current.organisation_id, user_id=actor.pk
        ).first()
        if membership is None:
            membership = Membership.objects.create(
                organisation_id=current.organisation_id, user_id=actor.pk, role=current.role
            )
        # else: made a member some other way meanwhile (an operator): their role stays.
        current.answered_at, current.accepted = timezone.now(), True
        current.save(update_fields=["answered_at", "accepted"])
    policies.forget_roles(actor)
    return membership


def membership_invitation_decline(
    *, invitation: MembershipInvitation, actor
) -> MembershipInvitation:
    """The invited person says no: nothing changes but the invitation, which is closed."""
    with transaction.atomic():
        current = _open_invitation(invitation, actor)
        current.answered_at, current.accepted = timezone.now(), False
        current.save(update_fields=["answered_at", "accepted"])
    return current


def membership_invitation_withdraw(*, invitation: MembershipInvitation, actor) -> None:
    """An administrator takes back an invitation not answered yet. It is deleted, and its
    notification, if not delivered yet, is cancelled."""
    from workflows.models import Notification

    require(policies.can_manage_members, user=actor, organisation_id=invitation.organisation_id)
    with transaction.atomic():
        _lock_for_admin(invitation.organisation_id, actor)
        current = (
            MembershipInvitation.objects.select_for_update()
            .filter(pk=invitation.pk, organisation_id=invitation.organisation_id)
            .first()
        )
        if current is None:
            raise TransitionConflict(
                _("This invitation was withdrawn already."), code="invitation_withdrawn"
            )
        if current.answered_at is not None:
            raise TransitionConflict(
                _("This invitation was answered already."), code="invitation_answered"
            )
        current.delete()
        Notification.objects.filter(
            kind=Notification.Kind.MEMBERSHIP_INVITED,
            deadline_key=f"invitation:{invitation.pk}",
            state=Notification.State.PENDING,
        ).update(state=Notification.State.CANCELLED)


def membership_change_role(*, membership: Membership, actor, role: str) -> Membership:
    """Make a member an administrator, or an administrator a member — never the last one."""
    require(policies.can_manage_members, user=actor, organisation_id=membership.organisation_id)
    _check_role(role)
    with transaction.atomic():
        admins = _lock_for_admin(membership.organisation_id, actor)
        membership = _current_membership(membership)
        if role != Membership.Role.ADMIN and _is_last_admin(membership, admins):
            raise TransitionConflict(
                _(
                    "%(who)s is the last administrator of %(org)s. An organisation must keep "
                    "at least one administrator: make someone else an administrator first."
                )
                % {"who": membership.user.display_name, "org": membership.organisation},
                code="last_admin",
            )
        if membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
    policies.forget_roles(membership.user)
    policies.forget_roles(actor)
    return membership


def membership_remove(*, membership: Membership, actor) -> None:
    """Take someone out of the organisation; an administrator may remove themselves, unless
    they are its last administrator."""
    require(policies.can_manage_members, user=actor, organisation_id=membership.organisation_id)
    with transaction.atomic():
        admins = _lock_for_admin(membership.organisation_id, actor)
        membership = _current_membership(membership)
        if _is_last_admin(membership, admins):
            raise TransitionConflict(
                _(
                    "%(who)s is the last administrator of %(org)s and cannot be removed. An "
                    "organisation must keep at least one administrator: make someone else an "
                    "administrator first."
                )
                % {"who": membership.user.display_name, "org": membership.organisation},
                code="last_admin",
            )
        Membership.objects.filter(pk=membership.pk).delete()
    policies.forget_roles(membership.user)
    policies.forget_roles(actor)
