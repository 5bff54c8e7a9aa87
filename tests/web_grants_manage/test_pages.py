import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from grants.models import ExchangeRate, Grant, Report, Tranche
from grants.policies import forget_roles
from grants.services.grants import grant_sign, tranche_approve, tranche_make_due, tranche_pay
from tests import factories as f
from tests.web_grants_manage.conftest import award


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_it_requests_changes_with_a_comment_per_section(client_for, manager, submitted_report):
    client = client_for(manager)
    response = client.post(
        reverse("manage-report-request-changes", args=[submitted_report.pk]),
        {"financial": "Attach the venue receipts.", "indicators": "Count women separately."},
        follow=True,
    )
    submitted_report.refresh_from_db()
    assert submitted_report.state == "changes_requested"
    assert sorted(submitted_report.comments.values_list("section", "text")) == [
        ("financial", "Attach the venue receipts."),
        ("indicators", "Count women separately."),
    ]
    assert "Attach the venue receipts." in response.content.decode()


def test_it_refuses_a_request_for_changes_without_a_comment(client_for, manager, submitted_report):
    response = client_for(manager).post(
        reverse("manage-report-request-changes", args=[submitted_report.pk]), {}
    )
    assert response.status_code == 400
    submitted_report.refresh_from_db()
    assert submitted_report.state == "submitted"


def test_it_approves_a_report_and_the_waiting_tranche_stays_planned(
    client_for, manager, submitted_report
):
    response = client_for(manager).post(
        reverse("manage-report-approve", args=[submitted_report.pk]), follow=True
    )
    submitted_report.refresh_from_db()
    assert submitted_report.state == "approved"
    assert "Report approved" in " ".join(_messages(response))


def test_it_refuses_approval_by_a_member_of_the_grantee(
    client_for, manager, submitted_report, org_a
):
    f.MembershipFactory(user=manager, organisation=org_a, role="member")
    forget_roles(manager)
    client = client_for(manager)
    page = client.get(reverse("manage-report", args=[submitted_report.pk])).content.decode()
    assert "Approve the report" not in page
    response = client.post(
        reverse("manage-report-approve", args=[submitted_report.pk]), follow=True
    )
    submitted_report.refresh_from_db()
    assert submitted_report.state == "submitted"
    assert _messages(response) == ["You are not allowed to do this."]


def test_it_opens_a_scheduled_report(client_for, manager, grant):
    report = grant.reports.get(number=1)
    client_for(manager).post(reverse("manage-report-open", args=[report.pk]))
    report.refresh_from_db()
    assert report.state == "open"


def test_it_refuses_the_maker_approving_the_tranche(client_for, manager, grant):
    tranche = grant.tranches.get(number=2)
    Tranche.objects.filter(pk=tranche.pk).update(trigger="manual")
    client = client_for(manager)
    client.post(reverse("manage-tranche-make-due", args=[tranche.pk]))
    tranche.refresh_from_db()
    assert (tranche.state, tranche.made_due_by) == ("due", manager)
    response = client.post(reverse("manage-tranche-approve", args=[tranche.pk]), follow=True)
    tranche.refresh_from_db()
    assert tranche.state == "due"
    assert _messages(response)[-1] == "The person who made the tranche due cannot approve it."


def test_it_approves_and_pays_a_tranche(client_for, approver, grant):
    tranche = grant.tranches.get(number=1)
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
    page = client.get(reverse("manage-grant", args=[grant.pk])).content.decode()
    assert "7,200.00 EUR" in page and "BANK-1" in page


def test_it_refuses_a_payment_above_the_grant(client_for, manager, approver, grant):
    first, second = grant.tranches.all()
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


def test_it_shows_payment_form_errors(client_for, approver, grant):
    tranche = grant.tranches.get(number=1)
    tranche_approve(tranche=tranche, actor=approver)
    response = client_for(approver).post(
        reverse("manage-tranche-pay", args=[tranche.pk]), {"paid_on": "", "amount": "-3"}
    )
    assert response.status_code == 400
    tranche.refresh_from_db()
    assert tranche.state == "approved"


def test_it_approves_an_amendment_and_shows_the_old_values(client_for, manager, grant, amendment):
    old_end = grant.end_date
    client = client_for(manager)
    client.post(
        reverse("manage-amendment-decide", args=[amendment.pk]),
        {"decision": "approve", "comment": ""},
    )
    amendment.refresh_from_db()
    grant.refresh_from_db()
    assert amendment.state == "approved" and grant.end_date > old_end
    page = client.get(reverse("manage-grant", args=[grant.pk])).content.decode()
    assert f"<del>{old_end.isoformat()}</del>" in page


def test_it_needs_a_reason_to_reject_an_amendment(client_for, manager, amendment):
    response = client_for(manager).post(
        reverse("manage-amendment-decide", args=[amendment.pk]), {"decision": "reject"}
    )
    assert response.status_code == 400
    amendment.refresh_from_db()
    assert amendment.state == "requested"


def test_it_records_a_visit_with_follow_up_actions_and_closes_one(client_for, manager, grant):
    client = client_for(manager)
    client.post(
        reverse("manage-visit-create", args=[grant.pk]),
        {
            "visited_on": "2027-04-02",
            "visitors": "PM",
            "findings": "Receipts incomplete.",
            "action_1": "Send the missing receipts",
            "action_1_due": "2027-04-30",
        },
    )
    visit = grant.visits.get()
    action = visit.actions.get()
    assert action.description == "Send the missing receipts"
    client.post(reverse("manage-follow-up-close", args=[action.pk]), {"note": "Received."})
    action.refresh_from_db()
    assert action.closed_by == manager and action.closing_note == "Received."


def test_it_wants_a_due_date_for_each_follow_up_action(client_for, manager, grant):
    response = client_for(manager).post(
        reverse("manage-visit-create", args=[grant.pk]),
        {"visited_on": "2027-04-02", "visitors": "PM", "findings": "x", "action_1": "Do it"},
    )
    assert response.status_code == 400
    assert not grant.visits.exists()


def test_it_adds_and_corrects_an_exchange_rate(client_for, manager, programme):
    client = client_for(manager)
    url = reverse("manage-exchange-rates", args=[programme.pk])
    client.post(url, {"currency": "RSD", "month": "2027-07", "rate": "117.2"})
    client.post(url, {"currency": "RSD", "month": "2027-07", "rate": "117.3"})
    assert list(ExchangeRate.objects.values_list("currency", "month", "rate")) == [
        ("RSD", dt.date(2027, 7, 1), Decimal("117.300000"))
    ]
    response = client.post(url, {"currency": "EUR", "month": "2027-07", "rate": "1"})
    assert response.status_code == 400


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_downloads_the_donor_report(client_for, observer, programme, grant, fmt):
    response = client_for(observer).get(
        reverse("manage-donor-report", args=[programme.pk]),
        {"start": "2026-01-01", "end": "2030-12-31", "format": fmt},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    if fmt == "csv":
        assert "Youth Initiative Novi Sad" in response.content.decode()


def test_it_refuses_a_donor_report_period_backwards(client_for, manager, programme):
    response = client_for(manager).get(
        reverse("manage-donor-report", args=[programme.pk]),
        {"start": "2027-01-01", "end": "2026-01-01", "format": "csv"},
    )
    assert response.status_code == 400


def test_it_filters_the_portfolio_by_overdue_reports(client_for, manager, call, grant, org_b):
    late = award(call, org_b, amount="6000", manager=manager)
    Report.objects.filter(grant=late, number=1).update(due_date=dt.date(2020, 1, 1))
    client = client_for(manager)
    url = reverse("manage-portfolio", args=[grant.programme_id])
    listed = client.get(url, {"overdue": "on"}).context["grants"]
    assert [g.pk for g in listed] == [late.pk]
    assert listed[0].overdue_reports == 1
    everything = client.get(url).context
    assert (everything["committed"], everything["overdue_total"]) == (Decimal("15000"), 1)


def test_it_flags_sub_grants_outside_the_donors_rules(client_for, manager, grant, incoming):
    Grant.objects.filter(pk=incoming.pk).update(max_subgrant_amount=Decimal("8000"))
    page = client_for(manager).get(reverse("manage-portfolio", args=[grant.programme_id]))
    assert "maximum per sub-grant" in page.content.decode()


def test_it_links_the_portfolio_and_incoming_grant_from_the_programme(
    client_for, manager, programme, incoming
):
    page = client_for(manager).get(reverse("manage-programme", args=[programme.pk]))
    content = page.content.decode()
    assert reverse("manage-portfolio", args=[programme.pk]) in content
    assert reverse("manage-incoming-grant", args=[incoming.pk]) in content


# Query counts -----------------------------------------------------------------------------


@pytest.fixture
def portfolio_queries(client_for, manager, programme, django_assert_num_queries):
    client = client_for(manager)
    url = reverse("manage-portfolio", args=[programme.pk])
    client.get(url)  # warm up: session, content types

    def count(n):
        with django_assert_num_queries(n):
            assert client.get(url).status_code == 200

    return count


PORTFOLIO_QUERIES = 8  # 7 for the page, 1 for the header's unread count


def test_it_pins_the_portfolio_query_count(call, manager, approver, portfolio_queries):
    def grants(n):
        for _ in range(n):
            organisation = f.OrganisationFactory()
            member = f.MembershipFactory(organisation=organisation).user
            grant = award(call, organisation, manager=manager, member=member)
            grant = grant_sign(grant=grant, actor=member)
            tranche = grant.tranches.get(number=1)
            tranche_approve(tranche=tranche, actor=approver)
            tranche_pay(tranche=tranche, actor=approver, paid_on=dt.date(2027, 1, 5))

    grants(2)
    portfolio_queries(PORTFOLIO_QUERIES)
    grants(8)
    portfolio_queries(PORTFOLIO_QUERIES)
