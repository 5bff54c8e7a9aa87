"""Getting a token, and asking who I am."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories as f


def test_it_exchanges_email_and_password_for_a_token(api_for, applicant_a):
    response = api_for(None).post(
        "/api/v1/auth/token/", {"email": "ANA@yins.example", "password": f.PASSWORD}
    )
    assert response.status_code == 200, response.data
    assert response.data["token"] == Token.objects.get(user=applicant_a).key

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.data['token']}")
    assert client.get("/api/v1/me/").data["email"] == "ana@yins.example"


def test_it_refuses_a_wrong_password_without_saying_which_part_was_wrong(api_for, applicant_a):
    wrong_password = api_for(None).post(
        "/api/v1/auth/token/", {"email": "ana@yins.example", "password": "guess"}
    )
    unknown_email = api_for(None).post(
        "/api/v1/auth/token/", {"email": "nobody@yins.example", "password": f.PASSWORD}
    )
    assert wrong_password.status_code == unknown_email.status_code == 400
    assert wrong_password.data == unknown_email.data
    assert not Token.objects.exists()


def test_it_refuses_an_inactive_user(api_for, applicant_a):
    applicant_a.is_active = False
    applicant_a.save()
    response = api_for(None).post(
        "/api/v1/auth/token/", {"email": "ana@yins.example", "password": f.PASSWORD}
    )
    assert response.status_code == 400


def test_it_revokes_the_token(api_for, applicant_a):
    api = api_for(applicant_a)
    assert api.delete("/api/v1/auth/token/").status_code == 204
    assert not Token.objects.filter(user=applicant_a).exists()
    assert api.get("/api/v1/me/").status_code == 401


def test_it_accepts_the_browser_session(client, applicant_a):
    client.force_login(applicant_a)
    assert client.get("/api/v1/me/").json()["email"] == "ana@yins.example"


def test_it_tells_me_my_organisations_and_roles(api_for, applicant_a, org_a, manager, programme):
    me = api_for(applicant_a).get("/api/v1/me/").data
    assert [(m["organisation"]["id"], m["role"]) for m in me["organisations"]] == [
        (org_a.pk, "admin")
    ]
    assert me["programme_roles"] == []

    staff = api_for(manager).get("/api/v1/me/").data
    assert staff["organisations"] == []
    assert staff["programme_roles"] == [
        {"programme": programme.pk, "programme_title": programme.title, "role": "manager"}
    ]


def test_it_tells_a_reviewer_their_calls(api_for, reviewer, call):
    assert api_for(reviewer).get("/api/v1/me/").data["reviewer_calls"] == [call.pk]


def test_it_asks_anonymous_callers_to_log_in(api_for):
    response = api_for(None).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.data["code"] == "not_authenticated"
