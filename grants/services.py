"""Writes for organisations, programmes and calls."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.services import transition_perform

from . import policies
from .models import Call, Membership, Organisation, Programme

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
# earlier one), a *larger* budget, reviewers per application until review starts.
EDITABLE_CALL_FIELDS = {
    "title",
    "summary",
    "description",
    "scope",
    "closes_at",
    "budget",
    "reviewers_per_application",
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


def membership_add(*, organisation: Organisation, actor, user, role: str) -> Membership:
    if not policies.can_edit_organisation(actor, organisation):
        raise NotPermitted(_("Only an administrator of the organisation can add members."))
    membership, _created = Membership.objects.update_or_create(
        organisation=organisation, user=user, defaults={"role": role}
    )
    policies.forget_roles(user)
    return membership


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
        call.full_clean()
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
    from .models import ProgrammeRole

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
