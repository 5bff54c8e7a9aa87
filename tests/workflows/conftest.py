"""Fixtures of the notification tests. The personas live in tests/conftest.py."""

import pytest

from tests import factories as f


@pytest.fixture
def report(call, draft, applicant_a, manager):
    """An open report of org_a's grant, due at the end of the day six days from now: its
    "7 days before" reminder has come due (and the 14-day one is superseded by it). The outbox
    holds none of the rows of the events before (the receipt of the application)."""
    return f.report_due_in(
        f.awarded_grant(call=call, draft=draft, member=applicant_a, manager=manager),
        days=6,
        manager=manager,
    )
