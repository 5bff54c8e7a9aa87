"""Writes of amendments: a grantee's request and the manager's decision, applied to the grant."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import policies
from grants.models import Amendment, Grant, Report
from grants.services.grants import _locked_grant
from workflows.exceptions import RuleViolation
from workflows.permissions import require
from workflows.services import transition_perform


def amendment_request(
    *, grant: Grant, actor, kind: str, justification: str, changes: dict
) -> Amendment:
    """The grantee asks for a change. `changes`: for a budget reallocation
    {"lines": {line_id: new_amount}} (the total stays the same); for an extension
    {"end_date": "YYYY-MM-DD"}; for activities {"description": "…"}."""
    require(
        policies.is_member,
        user=actor,
        organisation_id=grant.organisation_id,
        message=_("Only the grantee can request an amendment."),
    )
    errors = {}
    if not (justification or "").strip():
        errors["justification"] = [_("Explain why the change is needed.")]
    if kind == Amendment.Kind.BUDGET:
        lines = {line.pk: line for line in grant.budget_lines.all()}
        try:
            new = {int(k): Decimal(str(v)) for k, v in (changes.get("lines") or {}).items()}
        except (ArithmeticError, ValueError):
            new = {}
            errors["changes"] = [_("Give an amount for each line.")]
        if any(k not in lines for k in new) or any(v < 0 for v in new.values()):
            errors["changes"] = [_("Only this grant's lines, with amounts of 0 or more.")]
        elif new and sum(new.values()) != sum(lines[k].amount for k in new):
            errors["changes"] = [
                _("A reallocation moves money between lines: the total must stay the same.")
            ]
    elif kind == Amendment.Kind.EXTENSION:
        try:
            end = dt.date.fromisoformat(changes.get("end_date", ""))
            if grant.end_date and end <= grant.end_date:
                errors["changes"] = [_("An extension moves the end date later.")]
        except (TypeError, ValueError):
            errors["changes"] = [_("Give the new end date (YYYY-MM-DD).")]
    elif kind == Amendment.Kind.ACTIVITIES:
        if not (changes.get("description") or "").strip():
            errors["changes"] = [_("Describe the change of activities.")]
    else:
        errors["kind"] = [_("Choose the kind of amendment.")]
    if errors:
        raise RuleViolation(errors)
    return Amendment.objects.create(
        grant=grant,
        kind=kind,
        justification=justification.strip(),
        changes=changes,
        requested_by=actor,
    )


def amendment_decide(*, amendment: Amendment, actor, approve: bool, comment: str = "") -> Amendment:
    """The manager approves (the grant changes, the old values are kept on the amendment) or
    rejects with a comment."""
    if not approve and not (comment or "").strip():
        raise RuleViolation({"comment": [_("Say why the amendment is rejected.")]})
    with transaction.atomic():
        amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
        grant = _locked_grant(amendment.grant)
        amendment.decided_by = actor
        amendment.decided_at = timezone.now()
        amendment.decision_comment = comment.strip()
        transition_perform(
            obj=amendment, name="approve" if approve else "reject", actor=actor, comment=comment
        )
        if approve:
            amendment.previous = _apply(grant, amendment)
            amendment.save(update_fields=["previous"])
    return amendment


# Every transition of an amendment, by its django-fsm name → the service that performs it: its
# API actions and `available_transitions` come from here.
AMENDMENT_TRANSITIONS: dict[str, Callable[..., Amendment]] = {
    "approve": partial(amendment_decide, approve=True),
    "reject": partial(amendment_decide, approve=False),
}


def _apply(grant: Grant, amendment: Amendment) -> dict:
    if amendment.kind == Amendment.Kind.BUDGET:
        previous = {}
        for line in grant.budget_lines.filter(pk__in=[int(k) for k in amendment.changes["lines"]]):
            previous[str(line.pk)] = str(line.amount)
            line.amount = Decimal(str(amendment.changes["lines"][str(line.pk)]))
            line.save(update_fields=["amount"])
        return {"lines": previous}
    if amendment.kind == Amendment.Kind.EXTENSION:
        previous = {"end_date": grant.end_date.isoformat() if grant.end_date else None}
        grant.end_date = dt.date.fromisoformat(amendment.changes["end_date"])
        grant.save(update_fields=["end_date"])
        final = grant.reports.filter(kind=Report.Kind.FINAL).first()
        if final is not None:
            shift = grant.end_date - final.period_end
            final.period_end = grant.end_date
            final.due_date = final.due_date + shift
            final.save(update_fields=["period_end", "due_date"])
        return previous
    return {}
