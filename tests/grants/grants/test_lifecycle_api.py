"""The grant's life through the API: POST /api/v1/grants/<id>/<transition>/ for activate,
start_closing, close, suspend, resume and terminate, listed in `available_transitions` when
the caller may run them now."""

import datetime as dt
from decimal import Decimal

import pytest

from grants.models import Grant
from grants.services.grants import grant_change_state, incoming_grant_create
from tests import factories as f
from tests.grants.conftest import url
from workflows.models import TransitionLog

LIFECYCLE = {"activate", "start_closing", "close", "suspend", "resume", "terminate"}


@pytest.fixture
def active_grant_40_40_20(signed_grant_40_40_20, manager):
    return grant_change_state(grant=signed_grant_40_40_20, actor=manager, name="activate")


def test_it_lists_start_for_the_manager_only(
    api_for, signed_grant_40_40_20, manager, approver, applicant_a
):
    assert api_for(manager).get(url(signed_grant_40_40_20)).data["available_transitions"] == [
        "activate"
    ]
    for persona in (approver, applicant_a):
        listed = api_for(persona).get(url(signed_grant_40_40_20)).data["available_transitions"]
        assert not LIFECYCLE & set(listed)


def test_it_lists_what_an_active_grant_can_do(api_for, active_grant_40_40_20, manager):
    listed = set(api_for(manager).get(url(active_grant_40_40_20)).data["available_transitions"])

    assert listed == {"start_closing", "suspend", "terminate"}


def test_it_starts_the_grant_with_the_comment_in_the_history(
    api_for, signed_grant_40_40_20, manager
):
    response = api_for(manager).post(
        url(signed_grant_40_40_20, "activate"), {"comment": "Kick-off held"}
    )

    assert response.status_code == 200, response.data
    assert response.data["state"] == "active"
    log = TransitionLog.objects.for_object(signed_grant_40_40_20).last()
    assert (log.transition, log.comment, log.actor) == ("activate", "Kick-off held", manager)


def test_it_suspends_resumes_and_terminates(api_for, active_grant_40_40_20, manager):
    api = api_for(manager)

    refused = api.post(url(active_grant_40_40_20, "suspend"), {}, format="json")
    assert refused.status_code == 400
    assert "comment" in refused.json()["errors"]

    assert (
        api.post(url(active_grant_40_40_20, "suspend"), {"comment": "Audit"}).data["state"]
        == "suspended"
    )
    assert api.post(url(active_grant_40_40_20, "resume")).data["state"] == "active"
    assert (
        api.post(url(active_grant_40_40_20, "terminate"), {"comment": "Fraud"}).data["state"]
        == "terminated"
    )


def test_it_refuses_to_close_with_open_reports(api_for, active_grant_40_40_20, manager):
    api = api_for(manager)
    assert api.post(url(active_grant_40_40_20, "start_closing")).data["state"] == "closing"

    response = api.post(url(active_grant_40_40_20, "close"))

    assert response.status_code == 409
    assert response.json()["code"] == "not_closable"


def test_it_answers_409_when_the_state_does_not_allow_it(api_for, signed_grant_40_40_20, manager):
    response = api_for(manager).post(url(signed_grant_40_40_20, "resume"))

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"


@pytest.mark.parametrize("persona", ["approver", "observer", "applicant_a", "colleague_a"])
def test_it_refuses_those_who_see_the_grant_but_do_not_manage_it(
    api_for, request, signed_grant_40_40_20, persona
):
    response = api_for(request.getfixturevalue(persona)).post(
        url(signed_grant_40_40_20, "activate")
    )

    assert response.status_code == 403
    signed_grant_40_40_20.refresh_from_db()
    assert signed_grant_40_40_20.state == Grant.State.CONTRACTED


@pytest.mark.parametrize("persona", ["applicant_b", "other_manager", "reviewer"])
def test_it_hides_the_grant_from_outsiders(api_for, request, signed_grant_40_40_20, persona):
    response = api_for(request.getfixturevalue(persona)).post(
        url(signed_grant_40_40_20, "activate")
    )

    assert response.status_code == 404
    signed_grant_40_40_20.refresh_from_db()
    assert signed_grant_40_40_20.state == Grant.State.CONTRACTED


def test_it_tells_anonymous_callers_nothing_about_the_grant(api_for, signed_grant_40_40_20):
    assert (
        api_for().post(url(signed_grant_40_40_20, "activate")).status_code == 404
    )  # NotFoundForAnonymous


def test_it_lets_the_lead_run_its_incoming_grant(api_for, lead_org):
    admin = f.MembershipFactory(organisation=lead_org, role="admin").user
    member = f.MembershipFactory(organisation=lead_org, role="member").user
    incoming = incoming_grant_create(
        actor=admin,
        organisation=lead_org,
        donor=None,
        title="EU grant to the lead",
        reference="CSO-2027/12",
        amount=Decimal("600000"),
        currency="EUR",
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2029, 12, 31),
    )
    Grant.objects.filter(pk=incoming.pk).update(state=Grant.State.CONTRACTED)

    assert api_for(member).post(url(incoming, "activate")).status_code == 403
    response = api_for(admin).post(url(incoming, "activate"))
    assert response.status_code == 200, response.data
    assert response.data["state"] == "active"
