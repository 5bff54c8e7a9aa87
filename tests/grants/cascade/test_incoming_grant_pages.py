"""Incoming grants entered by hand: the pages of the lead organisation's administrators,
the link from the manager's home, and the parent-grant choice of the programme form."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from grants.models import Grant
from grants.services.grants import incoming_grant_create
from tests import factories as f

NEW = "/manage/incoming-grants/new/"


@pytest.fixture
def entered(lead_admin, lead_org):
    return incoming_grant_create(
        actor=lead_admin,
        organisation=lead_org,
        donor=None,
        title="EU grant to the lead",
        reference="CSO-2027/12",
        amount=Decimal("600000"),
        currency="EUR",
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2029, 12, 31),
        max_subgrant_amount=Decimal("20000"),
    )


def edit_url(grant) -> str:
    return f"/manage/incoming-grants/{grant.pk}/edit/"


def form_data(lead_org, **overrides) -> dict:
    return {
        "organisation": lead_org.pk,
        "title": "EU grant to the lead",
        "reference": "CSO-2027/12",
        "amount": "600000",
        "currency": "EUR",
        "start_date": "2027-01-01",
        "end_date": "2029-12-31",
        "max_subgrant_amount": "20000",
        "min_cofinancing_percent": "5",
        "max_cofinancing_percent": "50",
        "reporting_period_months": "6",
        **overrides,
    }


def test_it_lets_an_admin_enter_an_incoming_grant(client_for, lead_admin, lead_org):
    donor = f.DonorFactory(name="European Union")
    client = client_for(lead_admin)
    assert client.get(NEW).status_code == 200

    response = client.post(NEW, form_data(lead_org, donor=donor.pk))

    grant = Grant.objects.get()
    assert response.status_code == 302
    assert response["Location"] == edit_url(grant)
    assert (grant.organisation, grant.donor, grant.amount) == (lead_org, donor, 600000)
    assert (grant.max_subgrant_amount, grant.reporting_period_months) == (20000, 6)
    assert grant.application is None and grant.programme is None


def test_it_shows_the_services_validation_messages(client_for, lead_admin, lead_org):
    response = client_for(lead_admin).post(
        NEW,
        form_data(
            lead_org,
            amount="0",
            end_date="2026-12-31",
            min_cofinancing_percent="60",
            max_cofinancing_percent="50",
        ),
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "The grant&#x27;s amount must be more than 0." in html
    assert "The grant cannot end before it starts." in html
    assert "The co-financing maximum cannot be below the minimum." in html
    assert not Grant.objects.exists()


def test_it_offers_only_the_organisations_the_user_administers(
    client_for, lead_admin, lead_org, org_b
):
    html = client_for(lead_admin).get(NEW).content.decode()
    assert f">{lead_org}</option>" in html and f">{org_b}</option>" not in html

    response = client_for(lead_admin).post(NEW, form_data(org_b, organisation=org_b.pk))
    assert response.status_code == 400
    assert not Grant.objects.exists()


@pytest.mark.parametrize("persona", ["lead_member", "manager", "reviewer"])
def test_it_refuses_the_new_page_to_those_who_administer_nothing(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(NEW).status_code == 403


def test_it_sends_anonymous_visitors_to_log_in(client, entered):
    for path in (NEW, edit_url(entered)):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_it_lets_an_admin_edit_the_donors_rules(client_for, lead_admin, lead_org, entered):
    client = client_for(lead_admin)
    assert "EU grant to the lead" in client.get(edit_url(entered)).content.decode()

    data = form_data(lead_org, max_subgrant_amount="25000", title="EU grant, amended")
    del data["organisation"]  # the recipient does not change
    response = client.post(edit_url(entered), data)

    assert response.status_code == 302
    entered.refresh_from_db()
    assert (entered.title, entered.max_subgrant_amount) == ("EU grant, amended", 25000)


def test_it_shows_validation_messages_when_editing(client_for, lead_admin, lead_org, entered):
    data = form_data(lead_org, max_subgrant_amount="700000")
    response = client_for(lead_admin).post(edit_url(entered), data)

    assert response.status_code == 400
    assert "The maximum per sub-grant cannot exceed the grant itself." in response.content.decode()
    entered.refresh_from_db()
    assert entered.max_subgrant_amount == 20000


def test_it_refuses_a_plain_member_of_the_organisation(client_for, lead_member, entered):
    client = client_for(lead_member)
    assert client.get(edit_url(entered)).status_code == 403
    assert client.post(edit_url(entered), {"title": "Changed"}).status_code == 403


@pytest.mark.parametrize("persona", ["applicant_a", "applicant_b", "manager", "other_manager"])
def test_it_hides_the_edit_page_from_other_organisations(client, request, entered, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(edit_url(entered)).status_code == 404
    assert client.post(edit_url(entered), {"title": "Changed"}).status_code == 404
    entered.refresh_from_db()
    assert entered.title == "EU grant to the lead"


def test_it_does_not_edit_a_sub_grant_here(client_for, applicant_a, signed_grant):
    """A sub-grant is not an incoming grant, even for its organisation's admin."""
    assert client_for(applicant_a).get(edit_url(signed_grant)).status_code == 404


def test_it_links_the_admins_incoming_grants_from_the_home(client_for, lead_admin, entered):
    html = client_for(lead_admin).get(reverse("manage-home")).content.decode()

    assert f'href="{NEW}"' in html
    assert f'href="{edit_url(entered)}"' in html


def test_it_shows_no_incoming_grants_to_a_manager_who_administers_nothing(
    client_for, manager, entered
):
    html = client_for(manager).get(reverse("manage-home")).content.decode()

    assert NEW not in html and edit_url(entered) not in html


def test_it_offers_the_owners_grants_as_the_programmes_parent(
    client_for, lead_admin, lead_org, entered, applicant_b
):
    others = f.MembershipFactory(role="admin").organisation
    foreign = Grant.objects.create(title="Someone else's grant", organisation=others, amount=1)
    client = client_for(lead_admin)

    html = client.get(reverse("manage-programme-create")).content.decode()
    assert f'value="{entered.pk}"' in html
    assert f'value="{foreign.pk}"' not in html
    assert f'href="{NEW}"' in html

    response = client.post(
        reverse("manage-programme-create"),
        {
            "title": "Civic fund",
            "owner": lead_org.pk,
            "currency": "EUR",
            "budget": "500000",
            "start_date": "2027-01-01",
            "end_date": "2029-12-31",
            "timezone": "Europe/Belgrade",
            "parent_grant": entered.pk,
        },
    )
    assert response.status_code == 302
    assert list(entered.funded_programmes.values_list("title", flat=True)) == ["Civic fund"]

    refused = client.post(
        reverse("manage-programme-create"),
        {
            "title": "Another fund",
            "owner": lead_org.pk,
            "currency": "EUR",
            "budget": "1",
            "start_date": "2027-01-01",
            "end_date": "2029-12-31",
            "timezone": "Europe/Belgrade",
            "parent_grant": foreign.pk,
        },
    )
    assert refused.status_code == 200  # the form again, with the choice refused
    assert not foreign.funded_programmes.exists()


def test_it_links_the_summary_once_a_staffed_programme_is_funded(
    client_for, lead_admin, entered, programme
):
    programme.parent_grant = entered
    programme.save()
    f.ProgrammeRoleFactory(programme=programme, user=lead_admin)

    html = client_for(lead_admin).get(edit_url(entered)).content.decode()

    assert reverse("manage-incoming-grant", args=[entered.pk]) in html
    assert programme.title in html
