"""Writes for organisations, programmes and calls."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import policies
from grants.models import (
    Call,
    CallQuestion,
    Criterion,
    Membership,
    MembershipInvitation,
    Organisation,
    Programme,
)
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.services import transition_perform

# Once a call is published, these define what a valid application is: changing them could
# invalidate drafts that applicants are writing, so they are frozen.
FROZEN_CALL_FIELDS = {
    "programme",
    "opens_at",
    "timezone",
    "min_grant",
    "max_grant",
    "min_cofinancing_percent",
    "eligible_countries",
    "eligible_org_types",
    "reference_prefix",
}
# Still editable after publication: the texts, a *later* closing time (an extension, never an
# earlier one), a *larger* budget, reviewers per application until review starts, and when
# the deadline reminders go (they only change who is nudged when, not what is valid).
EDITABLE_CALL_FIELDS = {
    "title",
    "summary",
    "description",
    "scope",
    "closes_at",
    "budget",
    "reviewers_per_application",
    "reminder_offsets",
}


def organisation_create(*, actor, **fields) -> Organisation:
    """Create an organisation; its creator becomes its administrator."""
    with transaction.atomic():
        organisation = Organisation.objects.create(**fields)
        Membership.objects.create(user=actor, organisation=organisation, role=Membership.Role.ADMIN)
    policies.forget_roles(actor)
    return organisation


def organisation_update(*, organisation: Organisation, actor, **fields) -> Organisation:
    if not policies.can_edit_organisation(actor, organisation):
        raise NotPermitted(_("Only an administrator of the organisation can change its profile."))
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
    return organisation


# The people of an organisation ---------------------------------------------------------
#
# Every change to who belongs to an organisation, and in which role, first locks the
# organisation's row and only then reads its administrators from the database (never the
# roles cached on the actor). Two administrators demoting or removing each other at the same
# moment are so taken one after the other, and the second sees the first's change: an
# organisation always keeps an administrator.
#
# Nobody becomes a member of an organisation without their consent, because membership
# decides conflicts of interest: a reviewer who is a member of the applicant never reviews
# it, a manager never decides their own organisation's report. An organisation that could add
# any account could so choose who reviews or decides its applications. An existing account is
# therefore invited (MembershipInvitation) and joins only when its owner accepts; only a
# brand-new address, whose account holds no role yet, is a member at once.


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


def _require_admin(actor, organisation_id: int) -> None:
    # A first check from the cached roles, before any input is looked at. The one that
    # counts is made again under the lock, by _lock_for_admin.
    if not policies.is_org_admin(actor, organisation_id):
        raise NotPermitted(_("Only an administrator of the organisation can manage its people."))


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

    _require_admin(actor, organisation.pk)
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
    _require_admin(actor, membership.organisation_id)
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

    _require_admin(actor, invitation.organisation_id)
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
    _require_admin(actor, membership.organisation_id)
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
    _require_admin(actor, membership.organisation_id)
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


def call_update(*, call: Call, actor, **fields) -> Call:
    """Change a call. After publication only the fields in EDITABLE_CALL_FIELDS may change,
    the closing time only later and the budget only up."""
    if not policies.can_manage_call(call, actor):
        raise NotPermitted(_("Only a manager of the programme can change its calls."))
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        errors: dict[str, list[str]] = {}
        if call.rules_frozen:
            for name, value in fields.items():
                if name in FROZEN_CALL_FIELDS and getattr(call, name) != value:
                    errors[name] = [_("Cannot be changed once the call is published.")]
            if "closes_at" in fields and fields["closes_at"] != call.closes_at:
                if call.state != Call.State.OPEN:
                    errors["closes_at"] = [_("Only an open call can be extended.")]
                elif fields["closes_at"] < call.closes_at:
                    errors["closes_at"] = [_("A published call can be extended, not shortened.")]
            if "budget" in fields and Decimal(fields["budget"]) < call.budget:
                errors["budget"] = [_("A published call's budget can grow, not shrink.")]
        if errors:
            raise RuleViolation(errors)
        for name, value in fields.items():
            setattr(call, name, value)
        call.full_clean(exclude=["state"])  # the protected FSM field changes only by transition
        call.save()
    return call


def call_publish(*, call: Call, actor, comment: str = "") -> Call:
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.state == Call.State.DRAFT and call.closes_at <= timezone.now():
            raise TransitionConflict(
                _("The closing time has passed; move it before publishing."), code="call_closed"
            )
        transition_perform(obj=call, name="publish", actor=actor, comment=comment)
    return call


def _call_transition(*, call: Call, name: str, actor, comment: str = "") -> Call:
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        transition_perform(obj=call, name=name, actor=actor, comment=comment)
    return call


def call_close(*, call: Call, actor, comment: str = "") -> Call:
    return _call_transition(call=call, name="close", actor=actor, comment=comment)


def call_cancel(*, call: Call, actor, comment: str = "") -> Call:
    return _call_transition(call=call, name="cancel", actor=actor, comment=comment)


def call_start_review(*, call: Call, actor, comment: str = "") -> Call:
    return _call_transition(call=call, name="start_review", actor=actor, comment=comment)


CALL_TRANSITION_SERVICES = {
    "publish": call_publish,
    "close": call_close,
    "cancel": call_cancel,
    "start_review": call_start_review,
}


def calls_close_due(*, now=None) -> int:
    """Close every open call whose closing second has passed. Safe to run concurrently:
    each call is locked and re-checked, so it is closed once."""
    now = now or timezone.now()
    closed = 0
    due = Call.objects.filter(state=Call.State.OPEN, closes_at__lt=now.replace(microsecond=0))
    for call_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            call = Call.objects.select_for_update().get(pk=call_id)
            if call.state != Call.State.OPEN or call.closes_at >= now.replace(microsecond=0):
                continue
            transition_perform(
                obj=call,
                name="close",
                actor=None,
                comment=_("Closed automatically at the deadline."),
                check_permission=False,
            )
            closed += 1
    return closed


def programme_create(*, actor, owner: Organisation, donors=(), **fields) -> Programme:
    """Any administrator of the owner organisation can start a programme and manages it."""
    from grants.models import ProgrammeRole

    if not policies.is_org_admin(actor, owner.pk):
        raise NotPermitted(_("Only an administrator of the owner organisation can do this."))
    with transaction.atomic():
        programme = Programme(owner=owner, **fields)
        programme.full_clean()
        programme.save()
        programme.donors.set(donors)
        ProgrammeRole.objects.create(
            user=actor, programme=programme, role=ProgrammeRole.Role.MANAGER
        )
    policies.forget_roles(actor)
    return programme


# What a programme's managers may change once it exists. The rest (owner, currency, budget,
# period, time zone, funding grant) is set when the programme is started.
EDITABLE_PROGRAMME_FIELDS = {"reminder_offsets"}


def programme_update(*, programme: Programme, actor, **fields) -> Programme:
    """Change a programme's settings; only its managers may, only EDITABLE_PROGRAMME_FIELDS."""
    if not policies.can_manage_programme(actor, programme):
        raise NotPermitted(_("Only a manager of the programme can change it."))
    fixed = sorted(set(fields) - EDITABLE_PROGRAMME_FIELDS)
    if fixed:
        raise RuleViolation(
            {name: [_("Cannot be changed once the programme exists.")] for name in fixed}
        )
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        for name, value in fields.items():
            setattr(programme, name, value)
        _full_clean(programme)
        programme.save(update_fields=list(fields))
    return programme


# Call setup: creating a call, its questions and its scoring criteria. ------------------

# Questions define what a valid application is: they change only while the call is a draft.
# Criteria are for reviewers: they may change until review starts.
CRITERIA_EDITABLE_STATES = {Call.State.DRAFT, Call.State.OPEN, Call.State.CLOSED}


def _call_rule_errors(fields: dict) -> dict[str, list[str]]:
    """The rules of a call a database constraint alone would report badly, by field."""
    from grants.countries import COUNTRY_CODES
    from grants.models import OrganisationType

    errors: dict[str, list[str]] = {}
    opens_at, closes_at = fields.get("opens_at"), fields.get("closes_at")
    if opens_at and closes_at and closes_at <= opens_at:
        errors["closes_at"] = [_("The call must close after it opens.")]
    min_grant, max_grant = fields.get("min_grant"), fields.get("max_grant")
    if min_grant is not None and max_grant is not None and max_grant < min_grant:
        errors["max_grant"] = [_("The maximum grant cannot be below the minimum grant.")]
    budget = fields.get("budget")
    if budget is not None and min_grant is not None and min_grant > budget:
        errors["min_grant"] = [_("The minimum grant cannot exceed the call's budget.")]
    unknown = set(fields.get("eligible_countries") or []) - COUNTRY_CODES
    if unknown:
        errors["eligible_countries"] = [
            _("Unknown country codes: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
        ]
    unknown = set(fields.get("eligible_org_types") or []) - set(OrganisationType.values)
    if unknown:
        errors["eligible_org_types"] = [
            _("Unknown organisation types: %(types)s.") % {"types": ", ".join(sorted(unknown))}
        ]
    return errors


def _full_clean(obj, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise RuleViolation(exc.message_dict) from exc


def call_create(*, programme: Programme, actor, **fields) -> Call:
    """A new call in a programme, as a draft. Only a manager of the programme may create it."""
    if not policies.can_manage_programme(actor, programme):
        raise NotPermitted(_("Only a manager of the programme can create calls."))
    fields.pop("state", None)
    errors = _call_rule_errors(fields)
    if errors:
        raise RuleViolation(errors)
    call = Call(programme=programme, **fields)
    _full_clean(call, exclude=["state"])  # the protected FSM field changes only by transition
    call.save()
    return call


def _locked_call(call_id: int) -> Call:
    return Call.objects.select_for_update().get(pk=call_id)


def _require_questions_editable(call: Call, actor) -> None:
    if not policies.can_manage_call(call, actor):
        raise NotPermitted(_("Only a manager of the programme can change its calls."))
    if call.state != Call.State.DRAFT:
        raise TransitionConflict(
            _("The questions cannot change once the call is published: applicants are using them."),
            code="rules_frozen",
        )


def _require_criteria_editable(call: Call, actor) -> None:
    if not policies.can_manage_call(call, actor):
        raise NotPermitted(_("Only a manager of the programme can change its calls."))
    if call.state not in CRITERIA_EDITABLE_STATES:
        raise TransitionConflict(
            _("The scoring criteria cannot change once review has started."),
            code="criteria_frozen",
        )


def _question_errors(question: CallQuestion) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if question.kind == CallQuestion.Kind.CHOICE:
        question.choices = [str(c).strip() for c in question.choices or [] if str(c).strip()]
        if len(question.choices) < 2:
            errors["choices"] = [_("A choice question needs at least two options.")]
        elif len(set(question.choices)) != len(question.choices):
            errors["choices"] = [_("Each option must be different.")]
    else:
        question.choices = []
    if question.kind not in (CallQuestion.Kind.TEXT, CallQuestion.Kind.LONG_TEXT):
        question.max_length = None
    return errors


def call_question_create(*, call: Call, actor, **fields) -> CallQuestion:
    """Add a question at the end of the form, while the call is a draft."""
    with transaction.atomic():
        call = _locked_call(call.pk)
        _require_questions_editable(call, actor)
        last = call.questions.order_by("-order").values_list("order", flat=True).first()
        question = CallQuestion(call=call, order=(last or 0) + 1, **fields)
        errors = _question_errors(question)
        if errors:
            raise RuleViolation(errors)
        _full_clean(question)
        question.save()
    return question


def call_question_update(*, question: CallQuestion, actor, **fields) -> CallQuestion:
    with transaction.atomic():
        call = _locked_call(question.call_id)
        _require_questions_editable(call, actor)
        question = CallQuestion.objects.get(pk=question.pk)
        for name, value in fields.items():
            setattr(question, name, value)
        errors = _question_errors(question)
        if errors:
            raise RuleViolation(errors)
        _full_clean(question)
        question.save()
    return question


def call_question_delete(*, question: CallQuestion, actor) -> None:
    with transaction.atomic():
        call = _locked_call(question.call_id)
        _require_questions_editable(call, actor)
        CallQuestion.objects.filter(pk=question.pk).delete()


def _criterion_errors(criterion: Criterion) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if criterion.weight is not None and criterion.weight <= 0:
        errors["weight"] = [_("The weight must be above zero.")]
    if criterion.max_score is not None and criterion.max_score <= 0:
        errors["max_score"] = [_("The maximum score must be above zero.")]
    threshold = criterion.pass_threshold
    if threshold is not None and criterion.max_score is not None:
        if threshold < 0:
            errors["pass_threshold"] = [_("The pass threshold cannot be negative.")]
        elif threshold > criterion.max_score:
            errors["pass_threshold"] = [_("The pass threshold cannot exceed the maximum score.")]
    return errors


def call_criterion_create(*, call: Call, actor, **fields) -> Criterion:
    """Add a scoring criterion, until review starts."""
    with transaction.atomic():
        call = _locked_call(call.pk)
        _require_criteria_editable(call, actor)
        last = call.criteria.order_by("-order").values_list("order", flat=True).first()
        criterion = Criterion(call=call, order=(last or 0) + 1, **fields)
        errors = _criterion_errors(criterion)
        if errors:
            raise RuleViolation(errors)
        _full_clean(criterion)
        criterion.save()
    return criterion


def call_criterion_update(*, criterion: Criterion, actor, **fields) -> Criterion:
    with transaction.atomic():
        call = _locked_call(criterion.call_id)
        _require_criteria_editable(call, actor)
        criterion = Criterion.objects.get(pk=criterion.pk)
        for name, value in fields.items():
            setattr(criterion, name, value)
        errors = _criterion_errors(criterion)
        if errors:
            raise RuleViolation(errors)
        _full_clean(criterion)
        criterion.save()
    return criterion


def call_criterion_delete(*, criterion: Criterion, actor) -> None:
    with transaction.atomic():
        call = _locked_call(criterion.call_id)
        _require_criteria_editable(call, actor)
        Criterion.objects.filter(pk=criterion.pk).delete()
