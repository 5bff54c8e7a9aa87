"""Writes of programmes: creation by an organisation's administrator, and changes."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from grants import policies
from grants.models import Organisation, Programme
from grants.services.calls import EDITABLE_PROGRAMME_FIELDS
from workflows.exceptions import RuleViolation
from workflows.permissions import require
from workflows.services import model_validate


def programme_create(*, actor, owner: Organisation, donors=(), **fields) -> Programme:
    """Any administrator of the owner organisation can start a programme and manages it."""
    from grants.models import ProgrammeRole

    require(
        policies.is_org_admin,
        user=actor,
        organisation_id=owner.pk,
        message=_("Only an administrator of the owner organisation can do this."),
    )
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


def programme_update(*, programme: Programme, actor, **fields) -> Programme:
    """Change a programme's settings; only its managers may, only EDITABLE_PROGRAMME_FIELDS."""
    require(
        policies.can_manage_programme,
        user=actor,
        programme=programme,
        message=_("Only a manager of the programme can change it."),
    )
    fixed = sorted(set(fields) - EDITABLE_PROGRAMME_FIELDS)
    if fixed:
        raise RuleViolation(
            {name: [_("Cannot be changed once the programme exists.")] for name in fixed}
        )
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        for name, value in fields.items():
            setattr(programme, name, value)
        model_validate(programme)
        programme.save(update_fields=list(fields))
    return programme
