"""A manager changes when the programme's report reminders go, in Chromium: a bad value is
explained next to its field and nothing typed is lost; a good one shows on the programme."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_manager_changes_the_report_reminders(live_server, login_page, manager, programme):
    page = login_page(manager)
    page.goto(f"{live_server.url}{reverse('manage-programme', args=[programme.pk])}")
    page.get_by_role("link", name="Change the reminders").click()

    report_due = page.get_by_label("Report due (grantee)")
    review_due = page.get_by_label("Review due (reviewer)")
    report_due.fill("-10, -3, next week")
    review_due.fill("-5, -1")
    page.get_by_role("button", name="Save reminders").click()

    expect(page.get_by_text("“next week” is not an offset").first).to_be_visible()
    expect(report_due).to_have_value("-10, -3, next week")  # nothing typed is lost
    expect(review_due).to_have_value("-5, -1")
    programme.refresh_from_db()
    assert programme.reminder_offsets == {}

    report_due.fill("-10, -3, +5 manager")
    page.get_by_role("button", name="Save reminders").click()

    expect(page).to_have_url(f"{live_server.url}{reverse('manage-programme', args=[programme.pk])}")
    row = page.locator("dl.facts div").filter(has_text="Report due (grantee)")
    expect(row).to_contain_text("-10, -3, +5 manager")
    expect(row).to_contain_text("set for the programme")
    programme.refresh_from_db()
    assert programme.reminder_offsets["report_due"] == [
        [-10, "owner"],
        [-3, "owner"],
        [5, "manager"],
    ]
    assert programme.reminder_offsets["review_due"] == [[-5, "owner"], [-1, "owner"]]
