"""Writes of monitoring visits and their follow-up actions."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import policies
from grants.models import FollowUpAction, Grant, MonitoringVisit
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.permissions import require


def visit_record(
    *,
    grant: Grant,
    actor,
    visited_on: dt.date,
    visitors: str,
    findings: str,
    actions: list[dict] = (),
) -> MonitoringVisit:
    require(
        policies.can_manage_grant,
        user=actor,
        grant=grant,
        message=_("Only the programme's managers record monitoring visits."),
    )
    errors = {}
    if not (findings or "").strip():
        errors["findings"] = [_("Write the findings.")]
    if not (visitors or "").strip():
        errors["visitors"] = [_("Say who visited.")]
    if errors:
        raise RuleViolation(errors)
    with transaction.atomic():
        visit = MonitoringVisit.objects.create(
            grant=grant,
            visited_on=visited_on,
            visitors=visitors.strip(),
            findings=findings.strip(),
            created_by=actor,
        )
        FollowUpAction.objects.bulk_create(
            FollowUpAction(visit=visit, description=a["description"], due_date=a["due_date"])
            for a in actions
        )
    return visit


def follow_up_close(*, action: FollowUpAction, actor, note: str = "") -> FollowUpAction:
    grant = action.visit.grant
    if not (
        policies.can_manage_grant(user=actor, grant=grant)
        or policies.is_member(user=actor, organisation_id=grant.organisation_id)
    ):
        raise NotPermitted(_("You cannot close this action."))
    with transaction.atomic():
        action = FollowUpAction.objects.select_for_update().get(pk=action.pk)
        if action.closed_at is not None:
            raise TransitionConflict(_("This action is already closed."), code="invalid_state")
        action.closed_at = timezone.now()
        action.closed_by = actor
        action.closing_note = note.strip()
        action.save()
    return action
