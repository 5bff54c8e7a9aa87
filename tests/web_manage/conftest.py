"""Fixtures of the programme manager's pages: a submitted application, a draft call, and a
helper that submits applications the way applicants do (through the service)."""

import pytest

from applications.services.applications import application_submit
from grants.forms.common import utc_to_local
from grants.models import Call
from tests import factories as f
from workflows import offsets


def submit_for(call, organisation=None, **org_fields):
    """A complete application of a new (or given) organisation, submitted by its member."""
    organisation = organisation or f.OrganisationFactory(**org_fields)
    member = f.MembershipFactory(organisation=organisation).user
    application = f.complete_application(call=call, organisation=organisation, created_by=member)
    return application_submit(application=application, actor=member)


@pytest.fixture
def submitted(draft, applicant_a):
    return application_submit(application=draft, actor=applicant_a)


@pytest.fixture
def draft_call(programme):
    return f.CallFactory(
        programme=programme,
        state=Call.State.DRAFT,
        title="Draft call for media",
        reference_prefix="MED",
    )


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
