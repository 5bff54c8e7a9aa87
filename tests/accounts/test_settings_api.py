"""GET/PATCH /api/v1/me/: your own name, language, time zone and e-mail about news."""

import pytest
from rest_framework.test import APIClient

from accounts.models import User

URL = "/api/v1/me/"
SETTINGS = ("full_name", "language", "timezone", "notification_email", "digest_hour")


def settings_of(user: User) -> dict:
    user = User.objects.get(pk=user.pk)
    return {name: getattr(user, name) for name in SETTINGS}


def test_it_shows_my_settings(api_for, applicant_a):
    User.objects.filter(pk=applicant_a.pk).update(
        notification_email=User.Email.DIGEST, digest_hour=8, timezone="Europe/Sarajevo"
    )
    me = api_for(applicant_a).get(URL).data
    assert {name: me[name] for name in SETTINGS} == {
        "full_name": applicant_a.full_name,
        "language": "en",
        "timezone": "Europe/Sarajevo",
        "notification_email": "digest",
        "digest_hour": 8,
    }


def test_it_changes_my_settings(api_for, applicant_a):
    response = api_for(applicant_a).patch(
        URL,
        {
            "full_name": "Ana Marković",
            "language": "sr-latn",
            "timezone": "Europe/Podgorica",
            "notification_email": "digest",
            "digest_hour": 21,
        },
    )
    assert response.status_code == 200, response.data
    expected = {
        "full_name": "Ana Marković",
        "language": "sr-latn",
        "timezone": "Europe/Podgorica",
        "notification_email": "digest",
        "digest_hour": 21,
    }
    assert {name: response.data[name] for name in SETTINGS} == expected
    assert settings_of(applicant_a) == expected
    # The rest of "me" is still there.
    assert response.data["email"] == "ana@yins.example"
    assert [m["role"] for m in response.data["organisations"]] == ["admin"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("full_name", "A. M."),
        ("language", "mk"),
        ("timezone", "Asia/Tokyo"),
        ("notification_email", "none"),
        ("digest_hour", 0),
    ],
)
def test_it_changes_one_setting_and_leaves_the_others(api_for, applicant_a, field, value):
    before = settings_of(applicant_a)
    response = api_for(applicant_a).patch(URL, {field: value})
    assert response.status_code == 200, response.data
    assert settings_of(applicant_a) == {**before, field: value}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("digest_hour", 99),
        ("digest_hour", -1),
        ("timezone", "Mars/Olympus_Mons"),
        ("timezone", ""),
        ("language", "xx"),
        ("notification_email", "weekly"),
        ("full_name", "x" * 201),
    ],
)
def test_it_refuses_a_bad_value_and_changes_nothing(api_for, applicant_a, field, value):
    before = settings_of(applicant_a)
    response = api_for(applicant_a).patch(
        URL, {"full_name": "Someone Else", "digest_hour": 5, field: value}
    )
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert list(response.data["errors"]) == [field]
    assert settings_of(applicant_a) == before


def test_it_does_not_change_the_email_address_or_the_id(api_for, applicant_a, applicant_b):
    response = api_for(applicant_a).patch(
        URL, {"id": applicant_b.pk, "email": "evil@example.org", "digest_hour": 4}
    )
    assert response.status_code == 200
    assert response.data["id"] == applicant_a.pk
    assert response.data["email"] == "ana@yins.example"
    assert User.objects.get(pk=applicant_a.pk).email == "ana@yins.example"
    assert User.objects.get(pk=applicant_b.pk).email == "lejla@wnt.example"


def test_it_changes_only_the_callers_settings(api_for, applicant_a, applicant_b):
    other_before = settings_of(applicant_b)
    response = api_for(applicant_a).patch(URL, {"full_name": "Ana", "notification_email": "none"})
    assert response.status_code == 200
    assert settings_of(applicant_b) == other_before
    assert User.objects.get(pk=applicant_a.pk).notification_email == User.Email.NONE


def test_a_browser_session_needs_the_csrf_token_to_change_settings(db, applicant_a):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(applicant_a)
    # Without the CSRF token, a session may not change anything.
    assert client.patch(URL, {"digest_hour": 3}).status_code == 403
    assert User.objects.get(pk=applicant_a.pk).digest_hour == 7


@pytest.mark.parametrize("method", ["get", "patch"])
def test_it_asks_anonymous_callers_to_log_in(api_for, applicant_a, method):
    before = settings_of(applicant_a)
    response = getattr(api_for(None), method)(URL, {"digest_hour": 3})
    assert response.status_code == 401
    assert response.data["code"] == "not_authenticated"
    assert settings_of(applicant_a) == before
