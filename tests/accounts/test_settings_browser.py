"""Your settings in Chromium: from the header link to a daily digest at 08:00."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from accounts.models import User

pytestmark = pytest.mark.browser


def test_a_person_chooses_a_daily_digest_at_eight(live_server, login_page, applicant_a):
    page = login_page(applicant_a)
    header = page.get_by_role("navigation", name="Main")
    header.get_by_role("link", name="Settings", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/accounts/settings/")
    expect(page.get_by_role("heading", name="Your settings")).to_be_visible()
    expect(page.get_by_text("Always e-mailed at once")).to_be_visible()

    page.get_by_label("One e-mail a day with everything new").check()
    page.get_by_label("Send the daily digest at").select_option(label="08:00")
    page.get_by_role("button", name="Save settings").click()

    expect(page.get_by_role("status")).to_have_text("Your settings are saved.")
    expect(page).to_have_url(f"{live_server.url}/accounts/settings/")

    page.reload()
    expect(page.get_by_text("Your settings are saved.")).to_have_count(0)
    expect(page.get_by_label("One e-mail a day with everything new")).to_be_checked()
    expect(page.get_by_label("E-mail each one as it happens")).not_to_be_checked()
    expect(page.get_by_label("Send the daily digest at")).to_have_value("8")
    expect(page.locator("#id_digest_hour option:checked")).to_have_text("08:00")

    applicant_a.refresh_from_db()
    assert (applicant_a.notification_email, applicant_a.digest_hour) == (User.Email.DIGEST, 8)


def test_a_person_switches_regrant_to_bosnian_and_it_stays(
    live_server, login_page, applicant_a, browser
):
    page = login_page(applicant_a)
    page.goto(f"{live_server.url}/accounts/settings/")
    page.get_by_label("Language").select_option(value="bs")
    page.get_by_role("button", name="Save settings").click()

    header = page.get_by_role("navigation")
    expect(header.get_by_role("link", name="Postavke", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Vaše postavke")).to_be_visible()

    # Another browser, with an English Accept-Language: the account's language wins.
    other = browser.new_context(locale="en-GB")
    session = [c for c in page.context.cookies() if c["name"] != settings.LANGUAGE_COOKIE_NAME]
    assert session  # signed in, without the language cookie
    other.add_cookies(session)
    other_page = other.new_page()
    other_page.goto(f"{live_server.url}/dashboard/")
    expect(other_page.get_by_role("link", name="Početna", exact=True)).to_be_visible()
    other.close()
    applicant_a.refresh_from_db()
    assert applicant_a.language == "bs"
