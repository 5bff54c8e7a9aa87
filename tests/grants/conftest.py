"""Fixtures of the grants tests: grants made the way the award makes them (the builders in
tests/factories.py go through the services), and what happens to them after the award. The
personas live in tests/conftest.py.

Every grant here is org_a's, of 9,000 EUR, from `draft`; the name says the variant:

- `signed_grant`: the call's own tranches (80 % on signature, 20 % on the final report),
  signed by applicant_a; its first tranche is due.
- `grant_40_40_20`: tranches of 40 % on signature, 40 % on the approval of the interim report
  and 20 % on the final report; not signed. `signed_grant_40_40_20`: the same, signed.
- `grant_with_obligations`: tranches 40/40/20 and the call's obligations ("Keep receipts for
  five years.", "Mention the donor on every publication."); not signed.
  `signed_grant_with_obligations`: the same, signed; `open_interim_with_obligations`: its
  interim report opened, with the programme's `indicator`.
- `grant_factory(amount)`: another organisation's grant from `call`.

`url(grant, *parts)` is the API URL of a grant and what is under it."""

import datetime as dt

import pytest

from grants.services.amendments import amendment_request
from grants.services.grants import grant_sign
from grants.services.visits import visit_record
from tests import factories as f


def url(grant, *parts) -> str:
    """/api/v1/grants/<id>/<part>/…/ — every grant URL, built one way."""
    return "/".join(["/api/v1/grants", str(grant.pk), *map(str, parts)]) + "/"


@pytest.fixture
def indicator(programme):
    return f.indicator(programme=programme)


@pytest.fixture
def signed_grant(call, draft, applicant_a, manager):
    return f.awarded_grant(call=call, draft=draft, member=applicant_a, manager=manager, signed=True)


@pytest.fixture
def grant_40_40_20(call, draft, applicant_a, manager):
    return f.awarded_grant(
        call=call, draft=draft, member=applicant_a, manager=manager, tranches=f.TRANCHES_40_40_20
    )


@pytest.fixture
def signed_grant_40_40_20(grant_40_40_20, applicant_a):
    return grant_sign(grant=grant_40_40_20, actor=applicant_a)


@pytest.fixture
def grant_with_obligations(call, draft, applicant_a, manager):
    return f.awarded_grant(
        call=call,
        draft=draft,
        member=applicant_a,
        manager=manager,
        tranches=f.TRANCHES_40_40_20,
        obligations="Keep receipts for five years.\n\nMention the donor on every publication.",
    )


@pytest.fixture
def signed_grant_with_obligations(grant_with_obligations, applicant_a):
    return grant_sign(grant=grant_with_obligations, actor=applicant_a)


@pytest.fixture
def open_interim_with_obligations(signed_grant_with_obligations, manager, indicator):
    return f.open_interim(signed_grant_with_obligations, manager=manager)


@pytest.fixture
def grant_factory(call, manager):
    """Another organisation's grant from `call`: an administrator, a submitted application,
    the grant."""
    return lambda amount="9000": f.awarded_grant(
        call=call, manager=manager, member=f.MembershipFactory().user, amount=amount
    )


@pytest.fixture
def submitted_report(signed_grant, manager, applicant_a):
    """The interim report of `signed_grant`, written (4,000 EUR spent) and submitted."""
    return f.submitted_report(
        f.open_interim(signed_grant, manager=manager),
        member=applicant_a,
        answer="Forty volunteers trained.",
        spent="4000",
    )


@pytest.fixture
def amendment(signed_grant, applicant_a):
    return amendment_request(
        grant=signed_grant,
        actor=applicant_a,
        kind="extension",
        justification="Floods delayed the workshops.",
        changes={"end_date": (signed_grant.end_date + dt.timedelta(days=60)).isoformat()},
    )


@pytest.fixture
def follow_up(signed_grant, manager):
    visit = visit_record(
        grant=signed_grant,
        actor=manager,
        visited_on=dt.date(2027, 3, 1),
        visitors="PM and finance officer",
        findings="Workshops run as planned.",
        actions=[{"description": "Send the attendance lists", "due_date": dt.date(2027, 3, 15)}],
    )
    return visit.actions.get()


@pytest.fixture
def parent_grant(programme, lead_org):
    """The donor's grant to the lead that funds `programme`."""
    return f.funding_grant(programme=programme, organisation=lead_org)
