"""The manager's grant pages: tranches (maker–checker, payment), amendments and monitoring visits."""

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from grants.models import Tranche
from grants.services.grants import tranche_approve, tranche_make_due, tranche_pay


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_it_refuses_the_maker_approving_the_tranche(client_for, manager, signed_grant):
    tranche = signed_grant.tranches.get(number=2)
    Tranche.objects.filter(pk=tranche.pk).update(trigger="manual")
    client = client_for(manager)
    client.post(reverse("manage-tranche-make-due", args=[tranche.pk]))
    tranche.refresh_from_db()
    assert (tranche.state, tranche.made_due_by) == ("due", manager)
    response = client.post(reverse("manage-tranche-approve", args=[tranche.pk]), follow=True)
    tranche.refresh_from_db()
    assert tranche.state == "due"
    assert _messages(response)[-1] == "The person who made the tranche due cannot approve it."


def test_it_approves_and_pays_a_tranche(client_for, approver, signed_grant):
    tranche = signed_grant.tranches.get(number=1)
    client = client_for(approver)
    client.post(reverse("manage-tranche-approve", args=[tranche.pk]))
    client.post(
        reverse("manage-tranche-pay", args=[tranche.pk]),
        {"paid_on": "2027-02-01", "amount": "", "reference": "BANK-1"},
    )
    tranche.refresh_from_db()
    assert (tranche.state, tranche.paid_amount, tranche.payment_reference) == (
        "paid",
        Decimal("7200.00"),
        "BANK-1",
    )
    page = client.get(reverse("manage-grant", args=[signed_grant.pk])).content.decode()
    assert "7,200.00 EUR" in page and "BANK-1" in page


def test_it_refuses_a_payment_above_the_grant(client_for, manager, approver, signed_grant):
    first, second = signed_grant.tranches.all()
    tranche_approve(tranche=first, actor=approver)
    tranche_pay(tranche=first, actor=approver, paid_on=dt.date(2027, 2, 1))
    # Inflated behind the services' back: the total paid still may not pass the grant.
    Tranche.objects.filter(pk=second.pk).update(amount=Decimal("5000"), trigger="manual")
    tranche_make_due(tranche=second, actor=manager)
    tranche_approve(tranche=second, actor=approver)
    response = client_for(approver).post(
        reverse("manage-tranche-pay", args=[second.pk]),
        {"paid_on": "2027-03-01", "amount": "5000", "reference": "BANK-2"},
        follow=True,
    )
    second.refresh_from_db()
    assert second.state == "approved"
    assert "above the grant" in " ".join(_messages(response))


def test_it_shows_payment_form_errors(client_for, approver, signed_grant):
    tranche = signed_grant.tranches.get(number=1)
    tranche_approve(tranche=tranche, actor=approver)
    response = client_for(approver).post(
        reverse("manage-tranche-pay", args=[tranche.pk]), {"paid_on": "", "amount": "-3"}
    )
    assert response.status_code == 400
    tranche.refresh_from_db()
    assert tranche.state == "approved"


def test_it_approves_an_amendment_and_shows_the_old_values(
    client_for, manager, signed_grant, amendment
):
    old_end = signed_grant.end_date
    client = client_for(manager)
    client.post(
        reverse("manage-amendment-decide", args=[amendment.pk]),
        {"decision": "approve", "comment": ""},
    )
    amendment.refresh_from_db()
    signed_grant.refresh_from_db()
    assert amendment.state == "approved" and signed_grant.end_date > old_end
    page = client.get(reverse("manage-grant", args=[signed_grant.pk])).content.decode()
    assert f"<del>{old_end.isoformat()}</del>" in page


def test_it_needs_a_reason_to_reject_an_amendment(client_for, manager, amendment):
    response = client_for(manager).post(
        reverse("manage-amendment-decide", args=[amendment.pk]), {"decision": "reject"}
    )
    assert response.status_code == 400
    amendment.refresh_from_db()
    assert amendment.state == "requested"


def test_it_records_a_visit_with_follow_up_actions_and_closes_one(
    client_for, manager, signed_grant
):
    client = client_for(manager)
    client.post(
        reverse("manage-visit-create", args=[signed_grant.pk]),
        {
            "visited_on": "2027-04-02",
            "visitors": "PM",
            "findings": "Receipts incomplete.",
            "action_1": "Send the missing receipts",
            "action_1_due": "2027-04-30",
        },
    )
    visit = signed_grant.visits.get()
    action = visit.actions.get()
    assert action.description == "Send the missing receipts"
    client.post(reverse("manage-follow-up-close", args=[action.pk]), {"note": "Received."})
    action.refresh_from_db()
    assert action.closed_by == manager and action.closing_note == "Received."


def test_it_wants_a_due_date_for_each_follow_up_action(client_for, manager, signed_grant):
    response = client_for(manager).post(
        reverse("manage-visit-create", args=[signed_grant.pk]),
        {"visited_on": "2027-04-02", "visitors": "PM", "findings": "x", "action_1": "Do it"},
    )
    assert response.status_code == 400
    assert not signed_grant.visits.exists()
