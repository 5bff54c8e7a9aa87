"""The programme manager screens applications in a real browser (Debian's Chromium, see tests/conftest.py)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from applications.models import Application
from applications.services.applications import application_submit
from tests import factories as f

pytestmark = pytest.mark.browser


def test_a_manager_screens_an_application_eligible(
    live_server, login_page, page, manager, applicant_a, draft
):
    application = application_submit(application=draft, actor=applicant_a)
    login_page(manager)
    page.goto(f"{live_server.url}{reverse('manage-home')}")
    page.get_by_role("link", name="1 submitted").click()
    page.get_by_role("link", name=application.reference).click()

    checklist = page.locator(".checklist")
    expect(checklist.get_by_role("heading", name="Eligibility checklist")).to_be_visible()
    expect(checklist.get_by_text("Every automatic check passes.")).to_be_visible()
    for label in ("Eligible country", "Eligible organisation type", "Co-financing"):
        expect(checklist.get_by_text(label)).to_be_visible()
    page.get_by_label("Note (optional)").fill("All documents in order.")
    page.get_by_role("button", name="Mark eligible").click()
    expect(page.get_by_text(f"{application.reference} is marked eligible.")).to_be_visible()
    expect(page.get_by_role("button", name="Mark eligible")).to_have_count(0)
    expect(page.get_by_text("Submitted → Eligible")).to_be_visible()

    application.refresh_from_db()
    assert application.state == Application.State.ELIGIBLE

    # The applicant sees the outcome in their own words.
    page.get_by_role("button", name="Log out").click()
    login_page(applicant_a)
    page.goto(f"{live_server.url}{reverse('dashboard')}")
    expect(page.get_by_text("Under review").first).to_be_visible()


def test_a_manager_cannot_mark_ineligible_without_a_reason(
    live_server, login_page, page, manager, applicant_a, draft
):
    application = application_submit(application=draft, actor=applicant_a)
    login_page(manager)
    page.goto(f"{live_server.url}{reverse('manage-application', args=[application.pk])}")
    page.get_by_role("button", name="Mark ineligible").click()
    reason = page.get_by_label("Reason")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Say why the application is not eligible.").first).to_be_visible()
    reason.fill("The organisation was registered after the cut-off date.")
    page.get_by_role("button", name="Mark ineligible").click()
    expect(page.get_by_text(f"{application.reference} is marked ineligible.")).to_be_visible()
    application.refresh_from_db()
    assert application.state == Application.State.INELIGIBLE


def test_the_applications_list_filters_without_reloading(
    live_server, login_page, page, manager, call
):

    serbian = f.submitted_application(call=call, country="RS", legal_name="Novi Sad Youth")
    bosnian = f.submitted_application(call=call, country="BA", legal_name="Tuzla Women")
    login_page(manager)
    page.goto(f"{live_server.url}{reverse('manage-application-list', args=[call.pk])}")
    rows = page.locator("table.applications tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_label("Country").select_option("BA")  # htmx swaps the table
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(bosnian.reference)
    expect(page).to_have_url(re.compile(r"country=BA"))
    assert serbian.reference not in rows.first.inner_text()
