"""My grants: what is due next, reports to write, tranches; a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from applications.services.applications import application_submit
from grants.models import Report
from grants.services.grants import grant_create_from_application
from tests import factories as f


def test_it_lists_the_grant_with_what_is_due(
    client_for, open_interim_with_obligations, applicant_a
):
    Report.objects.filter(pk=open_interim_with_obligations.pk).update(due_date=dt.date(2020, 1, 31))
    body = client_for(applicant_a).get(reverse("grantee-grants")).content.decode()
    assert open_interim_with_obligations.grant.title in body
    assert "9,000.00 EUR" in body
    assert "Overdue" in body
    assert (
        reverse(
            "grantee-report",
            args=[open_interim_with_obligations.grant_id, open_interim_with_obligations.pk],
        )
        in body
    )
    assert "3,600.00 EUR" in body and "Due" in body  # the first tranche, due on signature


def _grants(n, *, call, organisation, user, manager):
    for _i in range(n):
        application = f.complete_application(call=call, organisation=organisation, created_by=user)
        application = application_submit(application=application, actor=user)
        grant_create_from_application(
            application=application, amount=Decimal("9000"), actor=manager
        )


@pytest.mark.parametrize("n", [2, 8])
def test_it_lists_the_grants_in_a_fixed_number_of_queries(
    client_for, call, org_a, applicant_a, manager, django_assert_num_queries, n
):
    _grants(n, call=call, organisation=org_a, user=applicant_a, manager=manager)
    client = client_for(applicant_a)
    # session, user, the three role lookups, the grants, their reports, their tranches
    with django_assert_num_queries(9):
        response = client.get(reverse("grantee-grants"))
    assert response.content.decode().count('class="card grant-card"') == n
