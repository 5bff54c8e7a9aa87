"""The programme's cascade pages: exchange rates, the donor report, the portfolio and the donor's rules."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from grants.models import ExchangeRate, Grant, Report
from grants.services.grants import grant_sign, tranche_approve, tranche_pay
from tests import factories as f


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
def test_it_downloads_the_donor_report(client_for, observer, programme, signed_grant, fmt):
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


def test_it_filters_the_portfolio_by_overdue_reports(
    client_for, manager, call, signed_grant, org_b
):
    late = f.awarded_grant(call=call, organisation=org_b, amount="6000", manager=manager)
    Report.objects.filter(grant=late, number=1).update(due_date=dt.date(2020, 1, 1))
    client = client_for(manager)
    url = reverse("manage-portfolio", args=[signed_grant.programme_id])
    listed = client.get(url, {"overdue": "on"}).context["grants"]
    assert [g.pk for g in listed] == [late.pk]
    assert listed[0].overdue_reports == 1
    everything = client.get(url).context
    assert (everything["committed"], everything["overdue_total"]) == (Decimal("15000"), 1)


def test_it_flags_sub_grants_outside_the_donors_rules(
    client_for, manager, signed_grant, parent_grant
):
    Grant.objects.filter(pk=parent_grant.pk).update(max_subgrant_amount=Decimal("8000"))
    page = client_for(manager).get(reverse("manage-portfolio", args=[signed_grant.programme_id]))
    assert "maximum per sub-grant" in page.content.decode()


def test_it_links_the_portfolio_and_incoming_grant_from_the_programme(
    client_for, manager, programme, parent_grant
):
    page = client_for(manager).get(reverse("manage-programme", args=[programme.pk]))
    content = page.content.decode()
    assert reverse("manage-portfolio", args=[programme.pk]) in content
    assert reverse("manage-incoming-grant", args=[parent_grant.pk]) in content


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
            grant = f.awarded_grant(
                call=call, organisation=organisation, manager=manager, member=member
            )
            grant = grant_sign(grant=grant, actor=member)
            tranche = grant.tranches.get(number=1)
            tranche_approve(tranche=tranche, actor=approver)
            tranche_pay(tranche=tranche, actor=approver, paid_on=dt.date(2027, 1, 5))

    grants(2)
    portfolio_queries(PORTFOLIO_QUERIES)
    grants(8)
    portfolio_queries(PORTFOLIO_QUERIES)
