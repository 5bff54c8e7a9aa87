"""incoming_grant_create / incoming_grant_update: the donor's grant to the lead, entered by
hand with the donor's rules. Only the organisation's administrators."""

import datetime as dt
from decimal import Decimal

import pytest

from grants.models import Grant
from grants.services.grants import incoming_grant_create, incoming_grant_update
from tests import factories as f
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict


def fields(**overrides) -> dict:
    return {
        "donor": None,
        "title": "EU grant to the lead",
        "reference": "CSO-2027/12",
        "amount": Decimal("600000"),
        "currency": "EUR",
        "start_date": dt.date(2027, 1, 1),
        "end_date": dt.date(2029, 12, 31),
        "max_subgrant_amount": Decimal("20000"),
        "min_cofinancing_percent": Decimal("5"),
        "max_cofinancing_percent": Decimal("50"),
        "reporting_period_months": 6,
        **overrides,
    }


@pytest.fixture
def incoming_grant(lead_admin, lead_org):
    return incoming_grant_create(actor=lead_admin, organisation=lead_org, **fields())


def test_it_creates_an_incoming_grant_with_the_donors_rules(lead_admin, lead_org):
    donor = f.DonorFactory()

    grant = incoming_grant_create(
        actor=lead_admin, organisation=lead_org, **fields(donor=donor, title="  EU grant  ")
    )

    grant.refresh_from_db()
    assert (grant.organisation, grant.donor, grant.title) == (lead_org, donor, "EU grant")
    assert grant.application is None and grant.programme is None
    assert grant.state == Grant.State.AWARDED
    assert (grant.max_subgrant_amount, grant.min_cofinancing_percent) == (20000, 5)
    assert (grant.max_cofinancing_percent, grant.reporting_period_months) == (50, 6)


def test_it_keeps_the_rules_optional(lead_admin, lead_org):
    grant = incoming_grant_create(
        actor=lead_admin,
        organisation=lead_org,
        **fields(
            max_subgrant_amount=None,
            min_cofinancing_percent=None,
            max_cofinancing_percent=None,
            reporting_period_months=None,
        ),
    )

    assert grant.max_subgrant_amount is None and grant.reporting_period_months is None


@pytest.mark.parametrize("persona", ["lead_member", "applicant_a", "manager"])
def test_it_refuses_everyone_but_the_organisations_admins(request, lead_org, persona):
    with pytest.raises(NotPermitted):
        incoming_grant_create(
            actor=request.getfixturevalue(persona), organisation=lead_org, **fields()
        )
    assert not Grant.objects.exists()


def test_it_refuses_the_outsider_before_looking_at_the_input(applicant_b, lead_org):
    with pytest.raises(NotPermitted):
        incoming_grant_create(actor=applicant_b, organisation=lead_org, **fields(amount=0))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": Decimal("-5")}, "amount"),
        ({"end_date": dt.date(2026, 12, 31)}, "end_date"),
        ({"min_cofinancing_percent": Decimal("-1")}, "min_cofinancing_percent"),
        ({"max_cofinancing_percent": Decimal("101")}, "max_cofinancing_percent"),
        (
            {"min_cofinancing_percent": Decimal("60"), "max_cofinancing_percent": Decimal("50")},
            "max_cofinancing_percent",
        ),
        ({"max_subgrant_amount": Decimal("0")}, "max_subgrant_amount"),
        ({"max_subgrant_amount": Decimal("700000")}, "max_subgrant_amount"),
        ({"reporting_period_months": 0}, "reporting_period_months"),
        ({"title": " "}, "title"),
        ({"currency": "XXX"}, "currency"),
    ],
)
def test_it_refuses_invalid_input(lead_admin, lead_org, overrides, field):
    with pytest.raises(RuleViolation) as exc:
        incoming_grant_create(actor=lead_admin, organisation=lead_org, **fields(**overrides))
    assert field in exc.value.errors
    assert not Grant.objects.exists()


def test_it_accepts_the_edges_of_the_co_financing_band(lead_admin, lead_org):
    grant = incoming_grant_create(
        actor=lead_admin,
        organisation=lead_org,
        **fields(
            min_cofinancing_percent=Decimal("0"),
            max_cofinancing_percent=Decimal("0"),
            end_date=dt.date(2027, 1, 1),
        ),
    )
    assert grant.max_cofinancing_percent == 0


def test_it_reports_every_problem_at_once(lead_admin, lead_org):
    with pytest.raises(RuleViolation) as exc:
        incoming_grant_create(
            actor=lead_admin,
            organisation=lead_org,
            **fields(amount=Decimal("0"), end_date=dt.date(2026, 1, 1)),
        )
    assert {"amount", "end_date"} <= set(exc.value.errors)


def test_it_updates_the_grant_and_its_rules(incoming_grant, lead_admin):
    grant = incoming_grant_update(
        grant=incoming_grant,
        actor=lead_admin,
        amount=Decimal("650000"),
        max_subgrant_amount=Decimal("25000"),
        min_cofinancing_percent=None,
    )

    grant.refresh_from_db()
    assert (grant.amount, grant.max_subgrant_amount) == (650000, 25000)
    assert grant.min_cofinancing_percent is None
    assert grant.title == "EU grant to the lead"  # untouched


def test_it_validates_an_update_against_the_values_it_keeps(incoming_grant, lead_admin):
    with pytest.raises(RuleViolation) as exc:
        incoming_grant_update(
            grant=incoming_grant, actor=lead_admin, min_cofinancing_percent=Decimal("80")
        )
    assert "max_cofinancing_percent" in exc.value.errors
    incoming_grant.refresh_from_db()
    assert incoming_grant.min_cofinancing_percent == 5


@pytest.mark.parametrize("persona", ["lead_member", "applicant_b", "manager"])
def test_it_refuses_updates_by_anyone_but_the_admins(request, incoming_grant, persona):
    with pytest.raises(NotPermitted):
        incoming_grant_update(
            grant=incoming_grant, actor=request.getfixturevalue(persona), amount=Decimal("1")
        )
    incoming_grant.refresh_from_db()
    assert incoming_grant.amount == 600000


def test_it_does_not_edit_a_sub_grant_as_an_incoming_grant(lead_admin, lead_org, programme):
    subgrant = Grant.objects.create(
        title="A sub-grant", organisation=lead_org, programme=programme, amount=Decimal("9000")
    )
    with pytest.raises(TransitionConflict):
        incoming_grant_update(grant=subgrant, actor=lead_admin, amount=Decimal("1"))


def test_it_lets_a_programme_be_funded_by_it_and_enforces_its_maximum(
    incoming_grant, programme, call, org_a, applicant_a, manager
):
    """The rules entered by hand are the ones the award checks."""
    from applications.services.applications import application_submit
    from grants.services.grants import grant_create_from_application

    programme.parent_grant = incoming_grant
    programme.save()
    draft = f.complete_application(call=call, organisation=org_a, created_by=applicant_a)
    application = application_submit(application=draft, actor=applicant_a)

    with pytest.raises(TransitionConflict) as exc:
        grant_create_from_application(
            application=application, amount=Decimal("20000.01"), actor=manager
        )
    assert exc.value.code == "above_subgrant_maximum"
