"""The applications of a call, for its staff: submitted only, filtered, sorted, exported,
in a number of queries that does not grow with the number of rows."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from applications.services.screening import application_screen
from tests import factories as f


def rows(response):
    return [a.reference for a in response.context["applications"]]


def test_it_lists_submitted_applications_but_never_drafts(
    client_for, manager, call, submitted, org_b, applicant_b
):
    f.complete_application(call=call, organisation=org_b, created_by=applicant_b)  # a draft
    response = client_for(manager).get(reverse("manage-application-list", args=[call.pk]))
    assert rows(response) == [submitted.reference]
    html = response.content.decode()
    assert submitted.reference in html
    assert "Youth Initiative Novi Sad" in html
    assert "Serbia" in html
    assert "9,000.00 EUR" in html
    assert "10.00 %" in html
    assert "CET" in html or "CEST" in html  # submitted at, with its time zone


def test_it_shows_the_requested_amount_once_whatever_the_number_of_partners(
    client_for, manager, call, draft, applicant_a
):
    from applications.services.applications import application_submit

    f.PartnerFactory(application=draft)
    f.PartnerFactory(application=draft)
    f.BudgetLineFactory(application=draft, amount_requested=1000, own_contribution=500)
    application_submit(application=draft, actor=applicant_a)
    response = client_for(manager).get(reverse("manage-application-list", args=[call.pk]))
    (application,) = response.context["applications"]
    assert application.total_requested == Decimal("10000.00")
    assert application.total_own == Decimal("1500.00")
    assert application.partner_count == 2
    assert application.cofinancing_percent == Decimal("13.04")


def test_it_lists_only_the_applications_of_this_call(client_for, manager, programme, call):
    other_call = f.CallFactory(programme=programme)
    mine = f.submitted_application(call=call)
    f.submitted_application(call=other_call)
    response = client_for(manager).get(reverse("manage-application-list", args=[call.pk]))
    assert rows(response) == [mine.reference]


def test_it_filters_by_state_and_country(client_for, manager, call):
    serbian = f.submitted_application(call=call, country="RS")
    bosnian = f.submitted_application(call=call, country="BA")
    albanian = f.submitted_application(call=call, country="AL")
    application_screen(application=albanian, actor=manager, eligible=True)
    client = client_for(manager)
    url = reverse("manage-application-list", args=[call.pk])
    assert rows(client.get(url, {"country": "BA"})) == [bosnian.reference]
    assert rows(client.get(url, {"state": "eligible"})) == [albanian.reference]
    assert rows(client.get(url, {"state": "submitted", "country": "RS"})) == [serbian.reference]
    # An invalid filter is ignored; the valid one still applies.
    assert rows(client.get(url, {"state": "nonsense", "country": "BA"})) == [bosnian.reference]


def test_it_sorts_by_any_column(client_for, manager, call):
    small = f.submitted_application(call=call, legal_name="Zeta Youth")
    large = f.submitted_application(call=call, legal_name="Alpha Civic")
    large.budget_lines.update(amount_requested=Decimal("15000"))
    client = client_for(manager)
    url = reverse("manage-application-list", args=[call.pk])
    assert rows(client.get(url, {"sort": "organisation"})) == [large.reference, small.reference]
    assert rows(client.get(url, {"sort": "-organisation"})) == [small.reference, large.reference]
    assert rows(client.get(url, {"sort": "-requested"})) == [large.reference, small.reference]
    assert rows(client.get(url, {"sort": "cofinancing"})) == [large.reference, small.reference]
    assert rows(client.get(url, {"sort": "submitted"})) == [small.reference, large.reference]
    # An unknown sort falls back to the default rather than failing.
    assert client.get(url, {"sort": "password"}).status_code == 200
    # The active column says so to assistive technology.
    assert 'aria-sort="descending"' in client.get(url, {"sort": "-title"}).content.decode()


def test_it_exports_the_filtered_list_as_csv(client_for, manager, call):
    f.submitted_application(call=call, country="RS", legal_name='=HYPERLINK("http://evil")')
    f.submitted_application(call=call, country="BA")
    response = client_for(manager).get(
        reverse("manage-application-export", args=[call.pk]), {"country": "RS"}
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0][0] == "Reference"
    assert len(table) == 2
    assert table[1][1].startswith("'=")  # never a formula in the manager's spreadsheet
    assert table[1][5] == "9000.00" and table[1][7] == "EUR"


@pytest.fixture
def list_queries(client_for, manager, call, django_assert_num_queries):
    client = client_for(manager)
    url = reverse("manage-application-list", args=[call.pk])
    client.get(url)  # warm up: session, content types

    def count(n):
        with django_assert_num_queries(n):
            response = client.get(url)
        return response

    return count


# session, user, 3 for the user's roles, the call, the applications.
EXPORT_QUERIES = 7
LIST_QUERIES = EXPORT_QUERIES + 1  # the page's header also counts unread notifications


def test_it_lists_applications_in_a_fixed_number_of_queries(list_queries, call):
    for _ in range(2):
        f.submitted_application(call=call)
    assert len(list_queries(LIST_QUERIES).context["applications"]) == 2
    for _ in range(8):
        application = f.submitted_application(call=call)
        f.PartnerFactory(application=application)
    assert len(list_queries(LIST_QUERIES).context["applications"]) == 10


def test_it_exports_in_a_fixed_number_of_queries(
    client_for, manager, call, django_assert_num_queries
):
    client = client_for(manager)
    url = reverse("manage-application-export", args=[call.pk])
    for _ in range(2):
        f.submitted_application(call=call)
    client.get(url)
    with django_assert_num_queries(EXPORT_QUERIES):
        client.get(url)
    for _ in range(8):
        f.submitted_application(call=call)
    with django_assert_num_queries(EXPORT_QUERIES):
        client.get(url)
