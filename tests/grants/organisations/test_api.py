"""Organisations through the API: registered, listed, their profile and the register of their
registration number."""

from grants.models import Membership, Organisation
from tests import factories as f


def test_it_registers_an_organisation_and_makes_me_its_administrator(api_for):
    user = f.UserFactory()
    response = api_for(user).post(
        "/api/v1/organisations/",
        {"legal_name": "Roma Youth Skopje", "country": "MK", "org_type": "grassroots"},
    )
    assert response.status_code == 201, response.data
    assert response.data["my_role"] == "admin"
    organisation = Organisation.objects.get(pk=response.data["id"])
    assert Membership.objects.get(organisation=organisation).user == user


def test_it_refuses_an_organisation_with_an_unknown_country(api_for, applicant_a):
    response = api_for(applicant_a).post(
        "/api/v1/organisations/",
        {"legal_name": "Nowhere", "country": "QQ", "org_type": "cso"},
    )
    assert response.status_code == 400
    assert "country" in response.data["errors"]


def test_it_lists_my_organisations_only(api_for, applicant_a, org_a, org_b):
    response = api_for(applicant_a).get("/api/v1/organisations/")
    assert [row["id"] for row in response.data["results"]] == [org_a.pk]
    assert api_for(applicant_a).get(f"/api/v1/organisations/{org_b.pk}/").status_code == 404


def test_it_shows_the_manager_the_organisations_that_applied(
    api_for, manager, other_manager, submitted, org_a
):
    assert api_for(manager).get(f"/api/v1/organisations/{org_a.pk}/").status_code == 200
    assert api_for(other_manager).get(f"/api/v1/organisations/{org_a.pk}/").status_code == 404


def test_it_lets_the_administrator_change_the_profile(api_for, applicant_a, org_a):
    response = api_for(applicant_a).patch(
        f"/api/v1/organisations/{org_a.pk}/", {"city": "Novi Sad"}
    )
    assert response.status_code == 200, response.data
    org_a.refresh_from_db()
    assert org_a.city == "Novi Sad"


def test_it_refuses_profile_changes_by_a_plain_member_or_a_manager(
    api_for, colleague_a, manager, submitted, org_a
):
    for who in (colleague_a, manager):
        response = api_for(who).patch(f"/api/v1/organisations/{org_a.pk}/", {"city": "Elsewhere"})
        assert response.status_code == 403
    org_a.refresh_from_db()
    assert org_a.city != "Elsewhere"


def test_it_hides_an_organisation_from_outsiders(api_for, applicant_b, org_a):
    for who in (applicant_b, None):
        response = api_for(who).patch(f"/api/v1/organisations/{org_a.pk}/", {"city": "X"})
        assert response.status_code == 404


def test_it_records_the_register_of_the_registration_number(api_for, applicant_a, org_a):
    response = api_for(applicant_a).patch(
        f"/api/v1/organisations/{org_a.pk}/", {"registry": "RS-APR"}
    )
    assert response.status_code == 200, response.data
    assert response.data["registry"] == "RS-APR"
    org_a.refresh_from_db()
    assert org_a.registry == "RS-APR"
    # Registers outside the region are org-id.guide codes too.
    response = api_for(applicant_a).patch(
        f"/api/v1/organisations/{org_a.pk}/", {"registry": "GB-CHC"}
    )
    assert response.status_code == 200, response.data


def test_it_refuses_a_register_that_is_not_an_org_id_list_code(api_for, applicant_a, org_a):
    response = api_for(applicant_a).patch(
        f"/api/v1/organisations/{org_a.pk}/", {"registry": "rs apr"}
    )
    assert response.status_code == 400
    assert "org-id.guide register code" in str(response.data["errors"]["registry"])
    org_a.refresh_from_db()
    assert org_a.registry == ""
