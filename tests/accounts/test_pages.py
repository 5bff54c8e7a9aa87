"""Logging in with an e-mail address, logging out, and registering."""

from django.urls import reverse

from accounts.models import User
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
