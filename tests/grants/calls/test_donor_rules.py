"""A call never invites what the donor's grant would refuse: in a programme funded by a
capped grant (the cascade), its maximum grant and its own-contribution floor are checked when
the call is created or changed — on the page and in the API — not first when the award
creates the grant. The message names the donor's grant and its rule."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.models import Call
from grants.services.calls import call_create, call_update
from tests import factories as f
from tests.grants.calls.conftest import new_call_data
from workflows.exceptions import RuleViolation


def _fields(**overrides) -> dict:
    opens = timezone.now() + dt.timedelta(days=1)
    return {
        "title": "Youth call",
        "opens_at": opens,
        "closes_at": opens + dt.timedelta(days=30),
        "budget": Decimal("100000"),
        "min_grant": Decimal("1000"),
        "max_grant": Decimal("15000"),
        "min_cofinancing_percent": Decimal("10"),
        **overrides,
    }


# The service -------------------------------------------------------------------------------


def test_it_refuses_a_maximum_grant_above_the_donors_cap_and_names_the_rule(
    manager, programme, parent_grant
):
    with pytest.raises(RuleViolation) as refused:
        call_create(programme=programme, actor=manager, **_fields(max_grant=Decimal("25000")))
    (message,) = refused.value.errors["max_grant"]
    assert "EU grant to the lead" in message
    assert "20,000" in message
    assert not Call.objects.filter(title="Youth call").exists()


def test_it_refuses_an_own_contribution_floor_below_the_donors(manager, programme, parent_grant):
    with pytest.raises(RuleViolation) as refused:
        call_create(
            programme=programme, actor=manager, **_fields(min_cofinancing_percent=Decimal("2"))
        )
    (message,) = refused.value.errors["min_cofinancing_percent"]
    assert "EU grant to the lead" in message and "5 %" in message


def test_it_says_every_broken_rule_at_once(manager, programme, parent_grant):
    with pytest.raises(RuleViolation) as refused:
        call_create(
            programme=programme,
            actor=manager,
            **_fields(max_grant=Decimal("25000"), min_cofinancing_percent=Decimal("0")),
        )
    assert set(refused.value.errors) == {"max_grant", "min_cofinancing_percent"}


def test_a_call_within_the_donors_rules_is_created(manager, programme, parent_grant):
    call = call_create(
        programme=programme,
        actor=manager,
        **_fields(max_grant=Decimal("20000"), min_cofinancing_percent=Decimal("5")),
    )
    assert call.state == Call.State.DRAFT


def test_without_a_capped_donor_grant_there_is_no_cap(manager, programme):
    call = call_create(programme=programme, actor=manager, **_fields(max_grant=Decimal("90000")))
    assert call.max_grant == Decimal("90000")


def test_raising_the_maximum_above_the_cap_later_is_refused_too(manager, programme, parent_grant):
    call = call_create(programme=programme, actor=manager, **_fields())
    with pytest.raises(RuleViolation) as refused:
        call_update(call=call, actor=manager, max_grant=Decimal("30000"))
    assert "max_grant" in refused.value.errors
    call.refresh_from_db()
    assert call.max_grant == Decimal("15000")


def test_a_call_made_before_the_cap_stays_editable_in_its_other_fields(manager, programme):
    call = call_create(programme=programme, actor=manager, **_fields(max_grant=Decimal("40000")))
    f.funding_grant(programme=programme, organisation=programme.owner)
    call = call_update(call=call, actor=manager, title="Youth call 2027")
    assert call.title == "Youth call 2027"
    with pytest.raises(RuleViolation):
        call_update(call=call, actor=manager, max_grant=Decimal("45000"))


# The API and the page ----------------------------------------------------------------------


def test_the_api_answers_400_with_the_donors_rule_at_the_field(
    api_for, manager, programme, parent_grant
):
    opens = timezone.now() + dt.timedelta(days=1)
    response = api_for(manager).post(
        "/api/v1/calls/",
        {
            "programme": programme.pk,
            "title": "Youth call",
            "opens_at": opens.isoformat(),
            "closes_at": (opens + dt.timedelta(days=30)).isoformat(),
            "budget": "50000",
            "min_grant": "1000",
            "max_grant": "25000",
            "min_cofinancing_percent": "10",
        },
    )
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert "EU grant to the lead" in response.data["errors"]["max_grant"][0]
    assert not Call.objects.filter(title="Youth call").exists()


def test_the_call_page_shows_the_donors_rule_on_the_field_and_keeps_what_was_typed(
    client_for, manager, programme, parent_grant
):
    response = client_for(manager).post(
        reverse("manage-call-create", args=[programme.pk]), new_call_data(max_grant="25000")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "EU grant to the lead" in form.errors["max_grant"][0]
    assert form["title"].value() == "Local media grants 2027"
    assert not Call.objects.filter(title="Local media grants 2027").exists()
