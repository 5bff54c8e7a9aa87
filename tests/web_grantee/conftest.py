"""A grant of org_a made the way the award makes it: 9,000 EUR from `draft`, tranches
40/40/20 (signature, interim report, final report), an interim and a final report."""

from decimal import Decimal

import pytest

from applications.services.applications import application_submit
from grants.models import Indicator
from grants.services.grants import grant_create_from_application, grant_sign
from grants.services.reports import report_open


@pytest.fixture
def grant(call, draft, applicant_a, manager):
    call.tranche_template = [
        {"percent": 40, "trigger": "signature"},
        {"percent": 40, "trigger": "report:1"},
        {"percent": 20, "trigger": "final_report"},
    ]
    call.obligations = "Keep receipts for five years.\n\nMention the donor on every publication."
    call.save()
    application = application_submit(application=draft, actor=applicant_a)
    return grant_create_from_application(
        application=application, amount=Decimal("9000"), actor=manager
    )


@pytest.fixture
def indicator(programme):
    return Indicator.objects.create(
        programme=programme, name="CSO representatives trained", target=50
    )


@pytest.fixture
def signed(grant, applicant_a):
    return grant_sign(grant=grant, actor=applicant_a)


@pytest.fixture
def interim(signed, manager, indicator):
    report = signed.reports.get(number=1)
    return report_open(report=report, actor=manager)


@pytest.fixture
def browser_for():
    """A separate client per person, for two people working at once."""
    from django.test import Client

    def make(user=None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make
