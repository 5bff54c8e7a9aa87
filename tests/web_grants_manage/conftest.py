"""Fixtures of the manager's grant pages: grants created the way the award creates them
(through the service), a report written and submitted by the grantee, an amendment request
and a monitoring visit."""

import datetime as dt
from decimal import Decimal

import pytest

from applications.services.applications import application_submit
from grants.models import Grant
from grants.services.amendments import amendment_request
from grants.services.grants import grant_create_from_application, grant_sign
from grants.services.reports import report_open, report_save, report_submit
from grants.services.visits import visit_record
from tests import factories as f


def award(call, organisation, *, amount="9000", manager, member=None):
    """A grant of `organisation` in `call`, created from a submitted application."""
    member = member or f.MembershipFactory(organisation=organisation).user
    application = f.complete_application(call=call, organisation=organisation, created_by=member)
    application = application_submit(application=application, actor=member)
    return grant_create_from_application(
        application=application, amount=Decimal(amount), actor=manager
    )


@pytest.fixture
def grant(call, org_a, applicant_a, manager):
    """org_a's grant, signed: its first tranche (80 %) is due."""
    grant = award(call, org_a, manager=manager, member=applicant_a)
    return grant_sign(grant=grant, actor=applicant_a)


@pytest.fixture
def submitted_report(grant, manager, applicant_a):
    report = grant.reports.get(number=1)
    report_open(report=report, actor=manager)
    report_save(
        report=report,
        actor=applicant_a,
        version=None,
        narrative={q: "Forty volunteers trained." for q in grant.programme.report_questions},
        spending={grant.budget_lines.get().pk: "4000"},
    )
    return report_submit(report=report, actor=applicant_a)


@pytest.fixture
def amendment(grant, applicant_a):
    return amendment_request(
        grant=grant,
        actor=applicant_a,
        kind="extension",
        justification="Floods delayed the workshops.",
        changes={"end_date": (grant.end_date + dt.timedelta(days=60)).isoformat()},
    )


@pytest.fixture
def follow_up(grant, manager):
    visit = visit_record(
        grant=grant,
        actor=manager,
        visited_on=dt.date(2027, 3, 1),
        visitors="PM and finance officer",
        findings="Workshops run as planned.",
        actions=[{"description": "Send the attendance lists", "due_date": dt.date(2027, 3, 15)}],
    )
    return visit.actions.get()


@pytest.fixture
def incoming(programme, lead_org):
    """The donor's grant to the lead that funds `programme`."""
    parent = Grant.objects.create(
        title="EU grant to the lead",
        organisation=lead_org,
        amount=Decimal("600000"),
        max_subgrant_amount=Decimal("20000"),
        min_cofinancing_percent=Decimal("5"),
        max_cofinancing_percent=Decimal("50"),
    )
    programme.parent_grant = parent
    programme.save()
    return parent
