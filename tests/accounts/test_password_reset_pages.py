"""The "Forgot your password?" link: the e-mail, the new password, and what is refused."""

import re
import time
import uuid
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from accounts.password_reset import PasswordResetRequestForm
from tests import factories as f

NEW_PASSWORD = "a-brand-new-unusual-passphrase"
SITE = "https://regrant.example.org"
ADDRESSES = [
    "ana@yins.example",
    "nobody@nowhere.example",
    "zoran@example.org",
    "expert@reviewers.example",
]


@pytest.fixture(autouse=True)
def _site_and_counters(settings):
    """Links are built on SITE_URL, not on the test client's host; no counts left over."""
    settings.SITE_URL = SITE
    keys = [PasswordResetRequestForm.throttle_key(a) for a in ADDRESSES]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


def ask(client, email):
    return client.post(reverse("password_reset"), {"email": email})


def link_in(body: str) -> str:
    found = re.findall(r"https?://\S+/accounts/password-reset/[^/\s]+/[^/\s]+/", body)
    assert found, body
    return found[0]


def test_the_login_page_links_to_it(client):
    body = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}">Forgot your password?</a>' in body
    page = client.get(reverse("password_reset"))
    assert page.status_code == 200
    assert ">E-mail</label>" in page.content.decode()


def test_a_known_address_gets_a_working_link(client, applicant_a, mailoutbox):
    response = ask(client, "ANA@yins.example ")
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["ana@yins.example"]
    assert mail.subject == "[Regrant] Choose a new password"
    link = link_in(mail.body)
    assert link.startswith(f"{SITE}/accounts/password-reset/")
    assert "testserver" not in mail.body
    assert "The link can be used once, within 3 days." in mail.body
    html, mimetype = mail.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert "within 3 days" in html

    # The link leads to a form (Django moves the token into the session first).
    page = client.get(urlsplit(link).path, follow=True)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Choose a new password" in body
    assert ">New password</label>" in body
    response = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")
    assert "Your password is changed" in client.get(response["Location"]).content.decode()

    applicant_a.refresh_from_db()
    assert applicant_a.check_password(NEW_PASSWORD)
    assert not applicant_a.check_password(f.PASSWORD)
    old = client.post(reverse("login"), {"username": applicant_a.email, "password": f.PASSWORD})
    assert old.status_code == 200
    assert "_auth_user_id" not in client.session
    new = client.post(reverse("login"), {"username": applicant_a.email, "password": NEW_PASSWORD})
    assert new.status_code == 302
    assert client.session["_auth_user_id"] == str(applicant_a.pk)


def test_an_unknown_address_gets_the_same_answer_and_nothing_is_sent(
    client, applicant_a, mailoutbox
):
    known = ask(client, applicant_a.email)
    mailoutbox.clear()
    unknown = ask(client, "nobody@nowhere.example")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert mailoutbox == []
    body = client.get(unknown["Location"]).content.decode()
    assert "If an account exists for the address you entered" in body
    assert "nobody@nowhere.example" not in body


def test_an_inactive_account_gets_nothing(db, client, mailoutbox):
    f.UserFactory(email="zoran@example.org", is_active=False)
    response = ask(client, "zoran@example.org")
    assert response["Location"] == reverse("password_reset_done")
    assert mailoutbox == []


def test_a_used_link_is_refused(client, applicant_a, mailoutbox):
    ask(client, applicant_a.email)
    path = urlsplit(link_in(mailoutbox[0].body)).path
    page = client.get(path, follow=True)
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    again = client.get(path, follow=True)
    body = again.content.decode()
    assert "This link no longer works" in body
    assert "already used, has expired" in body
    assert "new_password1" not in body
    assert f'href="{reverse("password_reset")}"' in body


def test_a_tampered_link_is_refused_and_changes_nothing(client, applicant_a, mailoutbox):
    ask(client, applicant_a.email)
    path = urlsplit(link_in(mailoutbox[0].body)).path
    uid, token = path.rstrip("/").split("/")[-2:]
    tampered = reverse(
        "password_reset_confirm",
        kwargs={"uidb64": uid, "token": token[:-1] + ("a" if token[-1] != "a" else "b")},
    )
    page = client.get(tampered, follow=True)
    assert "This link no longer works" in page.content.decode()
    client.post(tampered, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    applicant_a.refresh_from_db()
    assert applicant_a.check_password(f.PASSWORD)


def test_a_link_works_for_three_days(client, applicant_a, mailoutbox, settings):
    assert settings.PASSWORD_RESET_TIMEOUT == 3 * 24 * 3600
    ask(client, applicant_a.email)
    path = urlsplit(link_in(mailoutbox[0].body)).path
    # A timestamp, not a datetime: Django's token clock is naive local time.
    with time_machine.travel(time.time() + 3 * 24 * 3600 - 3600):
        page = client.get(path, follow=True)
    assert "new_password1" in page.content.decode()
    with time_machine.travel(time.time() + 3 * 24 * 3600 + 3600):
        page = client.get(path, follow=True)
    assert "This link no longer works" in page.content.decode()


def test_the_email_is_in_the_persons_language(client, applicant_a, mailoutbox):
    applicant_a.language = "sr-latn"
    applicant_a.full_name = "Ana Petrović"
    applicant_a.save()
    ask(client, applicant_a.email)  # the request itself is in English
    mail = mailoutbox[0]
    assert mail.subject == "[Regrant] Izaberite novu lozinku"
    assert mail.body.startswith("Dobar dan, Ana Petrović,")
    assert "Link možete upotrebiti jednom, u roku od 3 dana." in mail.body
    assert "Choose" not in mail.body
    html = mail.alternatives[0][0]
    assert '<html lang="sr-latn">' in html
    assert "Izaberite novu lozinku" in html


def test_a_flood_of_requests_sends_a_few_emails_and_answers_the_same(db, client, mailoutbox):
    email = f"flood-{uuid.uuid4().hex}@example.org"
    f.UserFactory(email=email)
    limit = PasswordResetRequestForm.per_hour
    answers = {ask(client, email)["Location"] for _ in range(limit + 3)}
    assert answers == {reverse("password_reset_done")}
    assert len(mailoutbox) == limit
    cache.delete(PasswordResetRequestForm.throttle_key(email))


def test_an_account_without_a_password_gets_nothing(client, reviewer, mailoutbox):
    """An invited reviewer who has not set a password yet: the invitation is their way in
    (the programme team sends it again), as Django's form skips unusable passwords."""
    reviewer.set_unusable_password()
    reviewer.save()
    response = ask(client, reviewer.email)
    assert response["Location"] == reverse("password_reset_done")
    assert mailoutbox == []
