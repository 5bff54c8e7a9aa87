"""Amendments through the services: an approved one changes the grant and keeps the old values."""

import datetime as dt

import pytest

from grants.services.amendments import amendment_decide, amendment_request
from workflows.exceptions import RuleViolation


def test_an_approved_amendment_changes_the_grant_and_keeps_the_old_values(
    grant_40_40_20, applicant_a, manager
):
    new_end = grant_40_40_20.end_date + dt.timedelta(days=90)
    amendment = amendment_request(
        grant=grant_40_40_20,
        actor=applicant_a,
        kind="extension",
        justification="Floods delayed the workshops.",
        changes={"end_date": new_end.isoformat()},
    )
    old_end = grant_40_40_20.end_date
    amendment_decide(amendment=amendment, actor=manager, approve=True)
    grant_40_40_20.refresh_from_db()
    amendment.refresh_from_db()
    assert grant_40_40_20.end_date == new_end
    assert amendment.previous == {"end_date": old_end.isoformat()}
    assert grant_40_40_20.reports.get(kind="final").period_end == new_end


def test_a_reallocation_keeps_the_total(grant_40_40_20, applicant_a):
    line = grant_40_40_20.budget_lines.get()
    with pytest.raises(RuleViolation):
        amendment_request(
            grant=grant_40_40_20,
            actor=applicant_a,
            kind="budget",
            justification="More venues",
            changes={"lines": {str(line.pk): "9500"}},
        )
