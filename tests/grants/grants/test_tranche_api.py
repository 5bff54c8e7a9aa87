"""Tranches through the API: maker–checker on approval, and the total paid never above the
grant."""

from decimal import Decimal

import pytest

from grants.models import Tranche
from grants.services.grants import tranche_approve, tranche_make_due, tranche_pay
from tests.grants.conftest import url


@pytest.fixture
def manual(signed_grant_40_40_20):
    """The third tranche, switched to a manual trigger."""
    tranche = signed_grant_40_40_20.tranches.get(number=3)
    Tranche.objects.filter(pk=tranche.pk).update(trigger="manual")
    return tranche


def test_it_lets_the_manager_make_a_tranche_due_but_not_approve_it(
    api_for, manual, manager, approver
):
    path = url(manual.grant, "tranches", manual.pk)
    made_due = api_for(manager).post(f"{path}make_due/")
    assert made_due.status_code == 200, made_due.data
    assert (made_due.data["state"], made_due.data["made_due_by"]) == (
        "due",
        manager.display_name,
    )
    assert made_due.data["available_transitions"] == []  # the maker may not approve

    refused = api_for(manager).post(f"{path}approve/")
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert Tranche.objects.get(pk=manual.pk).state == "due"

    approved = api_for(approver).post(f"{path}approve/")
    assert approved.status_code == 200
    assert (approved.data["state"], approved.data["approved_by"]) == (
        "approved",
        approver.display_name,
    )


def test_it_refuses_the_grantee_approving_or_paying_its_own_tranche(
    api_for, signed_grant_40_40_20, applicant_a
):
    first = signed_grant_40_40_20.tranches.get(number=1)
    api = api_for(applicant_a)
    assert (
        api.get(url(signed_grant_40_40_20, "tranches", first.pk)).data["available_transitions"]
        == []
    )
    assert api.post(url(signed_grant_40_40_20, "tranches", first.pk, "approve")).status_code == 403
    assert Tranche.objects.get(pk=first.pk).state == "due"


def test_it_refuses_a_payment_above_the_grant(
    api_for, signed_grant_40_40_20, manual, manager, approver
):
    first = signed_grant_40_40_20.tranches.get(number=1)
    tranche_approve(tranche=first, actor=approver)
    tranche_pay(tranche=first, actor=approver, paid_on=signed_grant_40_40_20.start_date)
    # A tranche inflated behind the services' back still cannot take the total above the grant.
    Tranche.objects.filter(pk=manual.pk).update(amount=Decimal("6000"))
    tranche_make_due(tranche=manual, actor=manager)
    tranche_approve(tranche=manual, actor=approver)
    path = url(signed_grant_40_40_20, "tranches", manual.pk, "pay")

    response = api_for(approver).post(path, {"paid_on": "2027-09-01", "reference": "BANK-3"})
    assert response.status_code == 409
    assert response.json()["code"] == "above_grant"
    assert Tranche.objects.get(pk=manual.pk).state == "approved"

    partial = api_for(approver).post(path, {"paid_on": "2027-09-01", "amount": "5400"})
    assert partial.status_code == 200, partial.data
    assert api_for(approver).get(url(signed_grant_40_40_20)).data["amount_paid"] == "9000.00"


def test_it_refuses_to_pay_a_tranche_that_is_not_approved(api_for, signed_grant_40_40_20, approver):
    first = signed_grant_40_40_20.tranches.get(number=1)
    response = api_for(approver).post(
        url(signed_grant_40_40_20, "tranches", first.pk, "pay"), {"paid_on": "2027-09-01"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"


def test_it_answers_400_without_a_payment_date(api_for, signed_grant_40_40_20, approver):
    first = signed_grant_40_40_20.tranches.get(number=1)
    tranche_approve(tranche=first, actor=approver)
    response = api_for(approver).post(url(signed_grant_40_40_20, "tranches", first.pk, "pay"), {})
    assert response.status_code == 400
    assert "paid_on" in response.json()["errors"]


def test_it_answers_404_for_a_tranche_of_another_grant(
    api_for, signed_grant_40_40_20, grant_factory, manager
):
    theirs = grant_factory().tranches.get(number=1)
    response = api_for(manager).get(url(signed_grant_40_40_20, "tranches", theirs.pk))
    assert response.status_code == 404
