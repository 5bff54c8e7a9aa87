"""Logging in with an e-mail address, registering, and the organisation profile."""

from django.urls import reverse

from accounts.models import User
from grants.models import Membership, Organisation
from tests import factories as f


def test_it_logs_in_with_the_email_address_in_any_case(client, applicant_a):
    response = client.post(
        reverse("login"), {"username": "ANA@yins.example", "password": f.PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_it_labels_the_login_form_for_people(client):
    body = client.get(reverse("login")).content.decode()
    assert ">E-mail</label>" in body
    assert ">Password</label>" in body
    assert "Log in</button>" in body


def test_it_refuses_a_wrong_password(client, applicant_a):
    response = client.post(reverse("login"), {"username": applicant_a.email, "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_logs_out_on_post(client_for, applicant_a):
    client = client_for(applicant_a)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_it_registers_logs_in_and_opens_the_dashboard(db, client):
    response = client.post(
        reverse("register"),
        {
            "email": "New.Person@Example.org",
            "full_name": "Nova Osoba",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    user = User.objects.get(email="new.person@example.org")
    assert user.full_name == "Nova Osoba"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert "Create your organisation" in client.get(reverse("dashboard")).content.decode()


def test_it_refuses_a_second_account_for_an_address(client, applicant_a):
    response = client.post(
        reverse("register"),
        {
            "email": "Ana@YINS.example",
            "full_name": "Ana again",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.filter(email__iexact="ana@yins.example").count() == 1


def test_it_links_errors_to_their_fields(db, client):
    body = client.post(reverse("register"), {"email": "x"}).content.decode()
    assert 'aria-describedby="id_email_error"' in body or "id_email_error" in body
    assert 'aria-invalid="true"' in body


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
