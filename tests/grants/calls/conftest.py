"""Fixtures of the call tests: draft calls of `programme` (`draft_call`, "Next year's call";
`draft_media_call`, "Draft call for media"), and what the call form posts. The personas (with
the open `call`) live in tests/conftest.py."""

import pytest

from grants.forms.common import utc_to_local
from grants.models import Call
from tests import factories as f
from workflows import offsets


@pytest.fixture
def draft_call(programme):
    return f.CallFactory(programme=programme, state=Call.State.DRAFT, title="Next year's call")


@pytest.fixture
def draft_media_call(programme):
    return f.CallFactory(
        programme=programme,
        state=Call.State.DRAFT,
        title="Draft call for media",
        reference_prefix="MED",
    )


def new_call_data(**overrides) -> dict:
    data = {
        "title": "Local media grants 2027",
        "reference_prefix": "MED-27",
        "summary": "Small grants for local media.",
        "description": "Long text.",
        "scope": "regional",
        "timezone": "Europe/Belgrade",
        "opens_at": "2027-03-01T09:00:00",
        "closes_at": "2027-04-30T23:59:59",
        "budget": "150000.00",
        "min_grant": "5000",
        "max_grant": "25000",
        "min_cofinancing_percent": "10",
        "eligible_countries": ["BA", "RS", "XK"],
        "eligible_org_types": ["cso", "media"],
        "reviewers_per_application": "2",
    }
    data.update(overrides)
    return data


def local(value, zone="Europe/Belgrade") -> str:
    """How a datetime-local input shows `value` in `zone`."""
    return utc_to_local(value, zone).strftime("%Y-%m-%dT%H:%M:%S")


def call_form_data(call, **overrides) -> dict:
    """What the edit form of `call` posts when submitted unchanged, as a browser sends it:
    for a published call the frozen (disabled) fields are left out."""
    data = {
        "title": call.title,
        "reference_prefix": call.reference_prefix,
        "summary": call.summary,
        "description": call.description,
        "scope": call.scope,
        "timezone": call.timezone,
        "opens_at": local(call.opens_at, call.timezone),
        "closes_at": local(call.closes_at, call.timezone),
        "budget": str(call.budget),
        "min_grant": str(call.min_grant),
        "max_grant": str(call.max_grant),
        "min_cofinancing_percent": str(call.min_cofinancing_percent),
        "eligible_countries": list(call.eligible_countries),
        "eligible_org_types": list(call.eligible_org_types),
        "reviewers_per_application": str(call.reviewers_per_application),
    }
    for kind in offsets.CALL_KINDS:
        data[f"reminder_{kind}"] = offsets.format_offsets(call.reminder_offsets.get(kind, ()))
    if call.rules_frozen:
        from grants.services.calls import FROZEN_CALL_FIELDS

        for name in FROZEN_CALL_FIELDS:
            data.pop(name, None)
        if call.state != Call.State.OPEN:
            data.pop("closes_at")
    data.update(overrides)
    return data
