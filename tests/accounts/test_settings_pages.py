"""Your settings: name, language, time zone and how news is e-mailed, for yourself only."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import User

URL = "/accounts/settings/"

SAVED = "Your settings are saved."


def form_data(user: User, **changes) -> dict:
    """What the page posts when `user` changes only `changes`."""
    data = {
        "full_name": user.full_name,
        "language": user.language,
        "timezone": user.timezone,
        "notification_email": user.notification_email,
        "digest_hour": user.digest_hour,
    }
    return {**data, **changes}


def settings_of(user: User) -> tuple:
    user = User.objects.get(pk=user.pk)
    return (
        user.full_name,
        user.language,
        user.timezone,
        user.notification_email,
        user.digest_hour,
    )


def test_the_url_is_the_settings_page():
    assert reverse("user-settings") == URL


def test_it_shows_the_current_settings(client_for, applicant_a):
    User.objects.filter(pk=applicant_a.pk).update(
        notification_email=User.Email.DIGEST, digest_hour=8, timezone="Europe/Skopje"
    )
    response = client_for(applicant_a).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Your settings</h1>" in body
    assert 'value="digest" required id="id_notification_email_1" checked' in body
    assert '<option value="8" selected>08:00</option>' in body
    assert '<option value="Europe/Skopje" selected>Europe/Skopje</option>' in body
    assert '<option value="sr-latn">srpski (latinica) — Serbian (Latin)</option>' in body
    # The choices are shown with their labels, as radio buttons.
    for value, label in User.Email.choices:
        assert f'value="{value}"' in body
        assert str(label).replace("'", "&#x27;") in body


def test_it_says_which_emails_always_come_at_once(client_for, applicant_a):
    body = client_for(applicant_a).get(URL).content.decode()
    for text in (
        "Always e-mailed at once",
        "cannot be switched off",
        "a call closing while you have a draft in it",
        "clarification and report deadlines",
        "reviews due",
        "tranches waiting for you",
        "Requests for clarification or for changes",
    ):
        assert text in body


@pytest.mark.parametrize(
    ("field", "value", "stored"),
    [
        ("full_name", "Ana Marković-Ilić", "Ana Marković-Ilić"),
        ("language", "sr-latn", "sr-latn"),
        ("timezone", "Europe/Tirane", "Europe/Tirane"),
        ("timezone", "America/New_York", "America/New_York"),
        ("notification_email", "digest", User.Email.DIGEST),
        ("notification_email", "none", User.Email.NONE),
        ("digest_hour", "0", 0),
        ("digest_hour", "23", 23),
    ],
)
def test_it_saves_each_setting(client_for, applicant_a, field, value, stored):
    before = dict(
        zip(
            ("full_name", "language", "timezone", "notification_email", "digest_hour"),
            settings_of(applicant_a),
            strict=True,
        )
    )
    client = client_for(applicant_a)
    response = client.post(URL, form_data(applicant_a, **{field: value}))
    assert response.status_code == 302
    assert response["Location"] == URL

    after = dict(zip(before, settings_of(applicant_a), strict=True))
    assert after[field] == stored
    assert {k: v for k, v in after.items() if k != field} == {
        k: v for k, v in before.items() if k != field
    }


def test_it_confirms_and_stays_on_the_page(client_for, applicant_a):
    client = client_for(applicant_a)
    response = client.post(
        URL, form_data(applicant_a, notification_email="digest", digest_hour="8"), follow=True
    )
    assert response.redirect_chain == [(URL, 302)]
    body = response.content.decode()
    assert SAVED in body
    assert 'value="digest" required id="id_notification_email_1" checked' in body
    assert '<option value="8" selected>08:00</option>' in body


def test_the_new_language_applies_after_saving(client_for, applicant_a):
    client = client_for(applicant_a)
    response = client.post(URL, form_data(applicant_a, language="sr-latn"))
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "sr-latn"
    page = client.get(URL)
    assert page["Content-Language"] == "sr-latn"
    assert '<html lang="sr-latn">' in page.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("digest_hour", "99", "Select a valid choice. 99 is not one of the available choices."),
        ("digest_hour", "", "This field is required."),
        ("timezone", "Mars/Olympus_Mons", "Select a valid choice. Mars/Olympus_Mons is not"),
        ("language", "xx", "Select a valid choice. xx is not one of the available choices."),
        ("notification_email", "weekly", "Select a valid choice. weekly is not one of the"),
        ("full_name", "x" * 201, "Ensure this value has at most 200 characters"),
    ],
)
def test_a_bad_value_is_refused_and_nothing_changes(client_for, applicant_a, field, value, message):
    before = settings_of(applicant_a)
    # Good changes to the other fields, with one bad value: none of them is saved.
    data = form_data(
        applicant_a,
        full_name="Someone Else",
        language="mk",
        timezone="Europe/Skopje",
        notification_email="none",
        digest_hour="5",
    )
    data[field] = value
    response = client_for(applicant_a).post(URL, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Please correct the following" in body
    assert message in body
    assert 'aria-invalid="true"' in body
    assert SAVED not in body
    assert settings_of(applicant_a) == before
    # The header still shows the saved name, not the one typed into the refused form.
    assert "Someone Else</li>" not in body
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_anonymous_visitors_are_sent_to_log_in(db, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={URL}"

    response = client.post(URL, {"full_name": "Nobody", "digest_hour": "3"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_person_changes_only_their_own_settings(client_for, applicant_a, applicant_b):
    other_before = settings_of(applicant_b)
    client = client_for(applicant_a)
    # There is no id in the URL; smuggled ids and e-mail addresses are ignored.
    data = form_data(applicant_a, full_name="Ana Changed", digest_hour="6")
    data |= {"id": applicant_b.pk, "pk": applicant_b.pk, "user": applicant_b.pk}
    data |= {"email": applicant_b.email}
    response = client.post(f"{URL}?user={applicant_b.pk}", data)
    assert response.status_code == 302

    assert settings_of(applicant_b) == other_before
    applicant_a.refresh_from_db()
    assert (applicant_a.full_name, applicant_a.digest_hour) == ("Ana Changed", 6)
    assert applicant_a.email == "ana@yins.example"


def test_the_header_links_to_the_settings_next_to_the_inbox(client_for, applicant_a):
    body = client_for(applicant_a).get(reverse("dashboard")).content.decode()
    inbox = body.index(f'href="{reverse("inbox")}"')
    link = body.index(f'<a href="{URL}">Settings</a>')
    assert 0 < link - inbox < 400


def test_the_header_has_no_settings_link_for_anonymous_visitors(db, client):
    assert f'href="{URL}"' not in client.get(reverse("call-list")).content.decode()


def test_the_inbox_links_to_the_settings(client_for, applicant_a):
    assert f'href="{URL}"' in client_for(applicant_a).get(reverse("inbox")).content.decode()
