"""grant_change_state: the grant's life after the signature."""

import datetime as dt
from decimal import Decimal

import pytest

from grants.models import Grant, Report, Tranche
from grants.services.grants import grant_change_state, grant_sign, tranche_approve, tranche_pay
from tests import factories as f
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.models import TransitionLog


def _finish(grant: Grant, approver) -> None:
    """Every report approved and every tranche paid, as if the grant had run its course."""
    Report.objects.filter(grant=grant).update(state=Report.State.APPROVED)
    for tranche in grant.tranches.filter(state=Tranche.State.DUE):
        tranche_approve(tranche=tranche, actor=approver)
        tranche_pay(tranche=tranche, actor=approver, paid_on=dt.date(2027, 1, 10))


def test_it_activates_a_contracted_grant_and_logs_it(signed_grant, manager):
    signed_grant = grant_change_state(grant=signed_grant, actor=manager, name="activate")

    assert signed_grant.state == Grant.State.ACTIVE
    log = TransitionLog.objects.for_object(signed_grant).last()
    assert (log.transition, log.from_state, log.to_state, log.actor) == (
        "activate",
        "contracted",
        "active",
        manager,
    )


def test_it_refuses_the_grantee_and_an_outsider(
    signed_grant, applicant_a, applicant_b, other_manager
):
    for actor in (applicant_a, applicant_b, other_manager):
        with pytest.raises(NotPermitted):
            grant_change_state(grant=signed_grant, actor=actor, name="activate")
    signed_grant.refresh_from_db()
    assert signed_grant.state == Grant.State.CONTRACTED


def test_it_refuses_the_outsider_before_looking_at_the_reason(active_grant, applicant_b):
    with pytest.raises(NotPermitted):
        grant_change_state(grant=active_grant, actor=applicant_b, name="suspend")


def test_it_needs_a_reason_to_suspend_and_to_terminate(active_grant, manager):
    for name in ("suspend", "terminate"):
        with pytest.raises(RuleViolation) as exc:
            grant_change_state(grant=active_grant, actor=manager, name=name, comment="  ")
        assert "comment" in exc.value.errors
    active_grant.refresh_from_db()
    assert active_grant.state == Grant.State.ACTIVE


def test_it_suspends_resumes_and_terminates_with_the_reason_in_the_log(active_grant, manager):
    grant_change_state(
        grant=active_grant, actor=manager, name="suspend", comment="Audit of the second tranche."
    )
    grant = grant_change_state(grant=active_grant, actor=manager, name="resume")
    assert grant.state == Grant.State.ACTIVE
    grant = grant_change_state(
        grant=grant, actor=manager, name="terminate", comment="The organisation dissolved."
    )

    assert grant.state == Grant.State.TERMINATED
    comments = list(TransitionLog.objects.for_object(grant).values_list("transition", "comment"))
    assert ("suspend", "Audit of the second tranche.") in comments
    assert ("terminate", "The organisation dissolved.") in comments


def test_it_refuses_a_transition_the_state_does_not_allow(signed_grant, manager):
    with pytest.raises(TransitionConflict) as exc:
        grant_change_state(grant=signed_grant, actor=manager, name="resume")
    assert exc.value.code == "invalid_state"


def test_it_refuses_an_unknown_transition(signed_grant, manager):
    with pytest.raises(TransitionConflict):
        grant_change_state(grant=signed_grant, actor=manager, name="sign")


def test_it_refuses_to_close_with_open_reports_or_unpaid_tranches(active_grant, manager, approver):
    grant = grant_change_state(grant=active_grant, actor=manager, name="start_closing")

    with pytest.raises(TransitionConflict) as exc:
        grant_change_state(grant=grant, actor=manager, name="close")
    assert exc.value.code == "not_closable"
    assert "report" in exc.value.detail and "tranche" in exc.value.detail

    _finish(grant, approver)
    grant = grant_change_state(grant=grant, actor=manager, name="close")
    assert grant.state == Grant.State.CLOSED


def test_it_refuses_to_close_while_an_approved_tranche_is_unpaid(active_grant, manager, approver):
    grant = grant_change_state(grant=active_grant, actor=manager, name="start_closing")
    Report.objects.filter(grant=grant).update(state=Report.State.APPROVED)
    tranche_approve(tranche=grant.tranches.get(state=Tranche.State.DUE), actor=approver)

    with pytest.raises(TransitionConflict, match="not paid"):
        grant_change_state(grant=grant, actor=manager, name="close")
    grant.refresh_from_db()
    assert grant.state == Grant.State.CLOSING


def test_an_incoming_grant_is_managed_by_its_organisations_administrators(lead_org, applicant_b):
    admin = f.MembershipFactory(organisation=lead_org).user
    incoming = Grant.objects.create(
        title="EU action grant", organisation=lead_org, amount=Decimal("100000")
    )
    grant_sign(grant=incoming, actor=admin)

    with pytest.raises(NotPermitted):
        grant_change_state(grant=incoming, actor=applicant_b, name="activate")
    grant = grant_change_state(grant=incoming, actor=admin, name="activate")
    assert grant.state == Grant.State.ACTIVE
