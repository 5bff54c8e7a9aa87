"""Fixtures of the grants API tests. The personas live in tests/conftest.py.

`grant` is org_a's grant of 9,000 EUR from the `call`, with tranches of 40 % on signature,
40 % on approval of the interim report and 20 % on the final report."""

from decimal import Decimal

import pytest

from applications.services.applications import application_submit
from grants.models import Indicator
from grants.services.grants import grant_create_from_application, grant_sign
from tests import factories as f
from tests.api.conftest import pdf  # noqa: F401


@pytest.fixture
def grant(call, draft, applicant_a, manager):
    call.tranche_template = [
        {"percent": 40, "trigger": "signature"},
        {"percent": 40, "trigger": "report:1"},
        {"percent": 20, "trigger": "final_report"},
    ]
    call.save()
    application = application_submit(application=draft, actor=applicant_a)
    return grant_create_from_application(
        application=application, amount=Decimal("9000"), actor=manager
    )


@pytest.fixture
def signed(grant, applicant_a):
    grant_sign(grant=grant, actor=applicant_a)
    grant.refresh_from_db()
    return grant


@pytest.fixture
def indicator(programme):
    return Indicator.objects.create(
        programme=programme, name="CSO representatives trained", target=50
    )


@pytest.fixture
def grant_factory(call, manager):
    """Another organisation's grant from `call`: an administrator, a submitted application,
    the grant."""

    def make(amount: str = "9000"):
        member = f.MembershipFactory().user
        draft = f.complete_application(
            call=call, organisation=member.memberships.get().organisation, created_by=member
        )
        application = application_submit(application=draft, actor=member)
        return grant_create_from_application(
            application=application, amount=Decimal(amount), actor=manager
        )

    return make


def url(grant, *parts) -> str:
    """/api/v1/grants/<id>/<part>/…/ — every grant URL, built one way."""
    return "/".join(["/api/v1/grants", str(grant.pk), *map(str, parts)]) + "/"
