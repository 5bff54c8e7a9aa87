"""Tranches through the services: they add up to the grant, maker–checker on approval, and payments never above the grant."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection

from applications.services.applications import application_submit
from grants.models import Tranche
from grants.services.grants import (
    grant_create_from_application,
    grant_sign,
    tranche_amounts,
    tranche_approve,
    tranche_pay,
)
from workflows.exceptions import NotPermitted, TransitionConflict


def test_tranches_always_add_up_to_the_grant():
    parts = tranche_amounts(
        Decimal("1000.01"), [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    )
    assert sum(parts) == Decimal("1000.01")


def test_the_maker_of_a_due_tranche_cannot_approve_it(grant_40_40_20, manager, approver):
    tranche = grant_40_40_20.tranches.get(number=3)
    Tranche.objects.filter(pk=tranche.pk).update(trigger="manual")
    from grants.services.grants import tranche_make_due

    tranche_make_due(tranche=tranche, actor=manager)
    with pytest.raises(NotPermitted):
        tranche_approve(tranche=tranche, actor=manager)
    with pytest.raises(IntegrityError):
        Tranche.objects.filter(pk=tranche.pk).update(approved_by=manager)


@pytest.mark.django_db(transaction=True)
def test_two_racing_payments_pay_once(call, draft, applicant_a, manager, approver):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    application = application_submit(application=draft, actor=applicant_a)
    grant = grant_create_from_application(
        application=application, amount=Decimal("9000"), actor=manager
    )
    grant_sign(grant=grant, actor=applicant_a)
    tranche = grant.tranches.get(number=1)
    tranche_approve(tranche=tranche, actor=approver)
    barrier = threading.Barrier(2)
    outcomes = []

    def pay(reference):
        from django.db import connection as thread_connection

        barrier.wait()
        try:
            tranche_pay(
                tranche=tranche, actor=approver, paid_on=dt.date(2027, 2, 1), reference=reference
            )
            outcomes.append("paid")
        except TransitionConflict as exc:
            outcomes.append(exc.code)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=pay, args=(ref,)) for ref in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["invalid_state", "paid"]
    assert sum(t.paid_amount or 0 for t in Tranche.objects.filter(grant=grant)) <= grant.amount


def test_payments_never_exceed_the_grant(grant_40_40_20, applicant_a, approver, manager):
    grant_sign(grant=grant_40_40_20, actor=applicant_a)
    first, _second, third = grant_40_40_20.tranches.all()
    tranche_approve(tranche=first, actor=approver)
    tranche_pay(tranche=first, actor=approver, paid_on=dt.date(2027, 2, 1))
    # A tranche whose amount was inflated behind the service's back still cannot overpay.
    Tranche.objects.filter(pk=third.pk).update(amount=Decimal("6000"), trigger="manual")
    from grants.services.grants import tranche_make_due

    tranche_make_due(tranche=third, actor=manager)
    tranche_approve(tranche=third, actor=approver)
    with pytest.raises(TransitionConflict) as exc:
        tranche_pay(tranche=third, actor=approver, paid_on=dt.date(2027, 2, 2))
    assert exc.value.code == "above_grant"
    tranche_pay(tranche=third, actor=approver, paid_on=dt.date(2027, 2, 2), amount="5400")
    assert sum(t.paid_amount or 0 for t in grant_40_40_20.tranches.all()) == Decimal("9000")
