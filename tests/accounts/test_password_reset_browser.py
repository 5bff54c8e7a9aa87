"""The "Forgot your password?" link in Chromium: from the login page to a new password."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from accounts.password_reset import PasswordResetRequestForm
from tests import factories as f

pytestmark = pytest.mark.browser

NEW_PASSWORD = "spring-rain-over-tuzla-2027"


def test_a_person_who_forgot_the_password_sets_a_new_one_and_logs_in(
    live_server, page, applicant_a, mailoutbox, settings
):
    settings.SITE_URL = live_server.url  # the e-mail's absolute link opens this server
    cache.delete(PasswordResetRequestForm.throttle_key(applicant_a.email))

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    page.get_by_label("E-mail").fill(applicant_a.email)
    page.get_by_role("button", name="Send me the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [applicant_a.email]
    link = re.search(r"http://\S+/accounts/password-reset/\S+/", mailoutbox[0].body).group(0)
    assert link.startswith(live_server.url)

    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", name="Your password is changed")).to_be_visible()

    # The old password no longer works; the new one does.
    page.get_by_role("main").get_by_role("link", name="Log in").click()
    page.get_by_label("E-mail").fill(applicant_a.email)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard/")
    expect(
        page.get_by_role("navigation", name="Main").get_by_text(applicant_a.display_name)
    ).to_be_visible()

    # The link from the e-mail was used up.
    page.goto(link)
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
