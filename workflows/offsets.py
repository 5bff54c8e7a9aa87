"""When deadline reminders go, and to whom.

An offset is a number of calendar days from the deadline (negative: before, positive: after)
and an audience: "owner" — whoever must act (the applicant's members, the reviewer, the
grantee's members, the approver) — or "manager", the programme's managers, told when the
owner is late. A programme can change the defaults for all its calls and grants, and a call
can change them again for itself. Written by people as text:

    -14, -7, -1, +1, +7 manager
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

OWNER, MANAGER = "owner", "manager"
MAX_DAYS = 30  # the sweep looks this far around now

CALL_CLOSING = "call_closing"
CLARIFICATION_DUE = "clarification_due"
REVIEW_DUE = "review_due"
REPORT_DUE = "report_due"
TRANCHE_DUE = "tranche_due"

# The defaults of the deadline-notifications issue.
DEFAULTS: dict[str, tuple[tuple[int, str], ...]] = {
    CALL_CLOSING: ((-7, OWNER), (-2, OWNER), (-1, OWNER)),
    CLARIFICATION_DUE: ((-3, OWNER), (-1, OWNER), (0, MANAGER)),
    REVIEW_DUE: ((-3, OWNER), (-1, OWNER), (1, OWNER), (3, MANAGER)),
    REPORT_DUE: ((-14, OWNER), (-7, OWNER), (-1, OWNER), (1, OWNER), (7, MANAGER)),
    TRANCHE_DUE: ((0, OWNER), (3, OWNER)),
}
LABELS = {
    CALL_CLOSING: gettext_lazy("Call closing (applicants with a draft)"),
    CLARIFICATION_DUE: gettext_lazy("Clarification response (applicant)"),
    REVIEW_DUE: gettext_lazy("Review due (reviewer)"),
    REPORT_DUE: gettext_lazy("Report due (grantee)"),
    TRANCHE_DUE: gettext_lazy("Tranche waiting for approval or payment (approver)"),
}
CALL_KINDS = (CALL_CLOSING, CLARIFICATION_DUE, REVIEW_DUE)
PROGRAMME_KINDS = tuple(DEFAULTS)

_ITEM = re.compile(r"^([+-]?\d{1,3})\s*d?(?:\s+(owner|manager|managers))?$", re.IGNORECASE)


def parse(text: str) -> tuple[tuple[int, str], ...]:
    """'-7, -1, +3 manager' → ((-7, 'owner'), (-1, 'owner'), (3, 'manager')), sorted.
    Raises ValidationError naming the item it cannot read."""
    items = []
    for raw in re.split(r"[,;\n]", text or ""):
        raw = raw.strip()
        if not raw:
            continue
        match = _ITEM.match(raw)
        if not match:
            raise ValidationError(
                _(
                    "“%(item)s” is not an offset. Write days from the deadline, e.g. "
                    "“-7, -1, +3 manager”."
                )
                % {"item": raw},
                code="offset_invalid",
            )
        days = int(match.group(1))
        if abs(days) > MAX_DAYS:
            raise ValidationError(
                _("“%(item)s” is too far: reminders go at most %(max)d days from the deadline.")
                % {"item": raw, "max": MAX_DAYS},
                code="offset_too_far",
            )
        audience = MANAGER if (match.group(2) or "").lower().startswith("manager") else OWNER
        items.append((days, audience))
    if len(set(items)) != len(items):
        raise ValidationError(_("An offset is listed twice."), code="offset_duplicate")
    return tuple(sorted(items))


def format_offsets(offsets) -> str:
    """((-7, 'owner'), (3, 'manager')) → '-7, +3 manager'."""

    def one(days: int, audience: str) -> str:
        text = f"{days:+d}" if days else "0"
        return f"{text} manager" if audience == MANAGER else text

    return ", ".join(one(int(days), audience) for days, audience in offsets)


def clean(value: Mapping, kinds=PROGRAMME_KINDS) -> dict[str, list[list]]:
    """Validate a stored/API mapping {kind: [[days, audience], ...] or "text"}; returns the
    normalised mapping. Raises ValidationError({kind: message})."""
    if not value:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(_("Reminder offsets must be an object keyed by deadline kind."))
    errors, cleaned = {}, {}
    for kind, offsets in value.items():
        if kind not in kinds:
            errors[kind] = _("Unknown deadline kind; one of: %(kinds)s.") % {
                "kinds": ", ".join(kinds)
            }
            continue
        try:
            if isinstance(offsets, str):
                parsed = parse(offsets)
            else:
                parsed = parse(
                    ", ".join(
                        f"{int(days):+d} {audience}"
                        for days, audience in offsets  # type: ignore[misc]
                    )
                )
        except (TypeError, ValueError):
            errors[kind] = _("Give a list of [days, audience] pairs or a text like “-7, -1”.")
            continue
        except ValidationError as exc:
            errors[kind] = exc.messages[0]
            continue
        cleaned[kind] = [list(item) for item in parsed]
    if errors:
        raise ValidationError(errors)
    return cleaned


def effective(kind: str, *, programme=None, call=None) -> tuple[tuple[int, str], ...]:
    """The offsets that apply: the call's, else the programme's, else the defaults."""
    for holder in (call, programme):
        configured = (getattr(holder, "reminder_offsets", None) or {}).get(kind)
        if configured:
            return tuple((int(d), a) for d, a in configured)
    return DEFAULTS[kind]
