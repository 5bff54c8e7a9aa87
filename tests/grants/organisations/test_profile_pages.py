"""The organisation profile: created from the dashboard, edited by its administrators, with the register of its registration number."""

from django.urls import reverse

from grants.models import Membership, Organisation
from tests import factories as f


def test_it_creates_the_organisation_profile_from_the_dashboard(db, client_for):
    newcomer = f.UserFactory()
    client = client_for(newcomer)
    response = client.post(
        reverse("organisation-create"),
        {
            "legal_name": "Udruženje Zeleni Grad",
            "short_name": "ZG",
            "country": "RS",
            "city": "Niš",
            "registration_number": "28123456",
            "org_type": "cso",
        },
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(legal_name="Udruženje Zeleni Grad")
    membership = Membership.objects.get(user=newcomer, organisation=organisation)
    assert membership.role == Membership.Role.ADMIN
    assert "Udruženje Zeleni Grad" in client.get(reverse("dashboard")).content.decode()


def test_it_lets_an_org_admin_edit_the_profile(client_for, applicant_a, org_a):
    client = client_for(applicant_a)
    assert client.get(reverse("organisation-edit", args=[org_a.pk])).status_code == 200
    response = client.post(
        reverse("organisation-edit", args=[org_a.pk]),
        {
            "legal_name": org_a.legal_name,
            "short_name": "YINS",
            "country": "RS",
            "city": "Novi Sad",
            "registration_number": "08765432",
            "org_type": "cso",
        },
    )
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert org_a.city == "Novi Sad"


def test_it_forbids_a_plain_member_to_edit_the_profile(client_for, colleague_a, org_a):
    response = client_for(colleague_a).post(
        reverse("organisation-edit", args=[org_a.pk]),
        {"legal_name": "Renamed", "country": "RS", "org_type": "cso"},
    )
    assert response.status_code == 403
    org_a.refresh_from_db()
    assert org_a.legal_name != "Renamed"


def test_it_hides_another_organisations_profile(client_for, applicant_b, other_manager, org_a):
    for user in (applicant_b, other_manager):
        response = client_for(user).get(reverse("organisation-edit", args=[org_a.pk]))
        assert response.status_code == 404


def _profile(org, **changes):
    data = {
        "legal_name": org.legal_name,
        "country": org.country,
        "registration_number": "08765432",
        "org_type": "cso",
    }
    return {**data, **changes}


def test_the_profile_offers_the_western_balkan_registers(client_for, applicant_a, org_a):
    body = client_for(applicant_a).get(reverse("organisation-edit", args=[org_a.pk]))
    html = body.content.decode()
    assert '<select name="registry"' in html
    assert "RS-APR — Serbian Business Registrations Agency" in html
    assert "XK-CR — Kosovo Business Registration Agency" in html
    assert '<option value="" selected>Other register, or not known</option>' in html


def test_it_records_the_register_of_the_registration_number(client_for, applicant_a, org_a):
    client = client_for(applicant_a)
    url = reverse("organisation-edit", args=[org_a.pk])
    assert client.post(url, _profile(org_a, registry="RS-APR")).status_code == 302
    org_a.refresh_from_db()
    assert org_a.registry == "RS-APR"
    assert client.post(url, _profile(org_a, registry="")).status_code == 302
    org_a.refresh_from_db()
    assert org_a.registry == ""


def test_it_refuses_a_register_not_in_the_list(client_for, applicant_a, org_a):
    response = client_for(applicant_a).post(
        reverse("organisation-edit", args=[org_a.pk]), _profile(org_a, registry="rs-apr")
    )
    assert response.status_code == 200
    assert "Choose a register from the list" in response.content.decode()
    org_a.refresh_from_db()
    assert org_a.registry == ""


def test_saving_the_profile_keeps_a_register_from_elsewhere(client_for, applicant_a, org_a):
    """A register outside the region (recorded through the API) is offered, and kept."""
    Organisation.objects.filter(pk=org_a.pk).update(registry="GB-CHC")
    client = client_for(applicant_a)
    url = reverse("organisation-edit", args=[org_a.pk])
    assert '<option value="GB-CHC" selected>' in client.get(url).content.decode()
    assert client.post(url, _profile(org_a, registry="GB-CHC")).status_code == 302
    org_a.refresh_from_db()
    assert org_a.registry == "GB-CHC"
