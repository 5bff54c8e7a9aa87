"""The programme team's side of the journey after the award, clicked through in Chromium:
the manager reviews a submitted interim report and requests changes on one section, then
approves the resubmission; the second tranche becomes due; the approver approves and pays it."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from grants.models import Report, Tranche
from grants.services.reports import report_submit
from tests import factories as f

pytestmark = pytest.mark.browser


@pytest.fixture
def submitted_report_40_40_20(signed_grant_40_40_20, manager, applicant_a):
    """The interim report of `signed_grant_40_40_20`, written (4,100 EUR spent) and submitted."""
    return f.submitted_report(
        f.open_interim(signed_grant_40_40_20, manager=manager),
        member=applicant_a,
        answer="Forty volunteers trained in two towns.",
        spent="4100",
    )


def test_the_manager_requests_changes_approves_and_the_approver_pays(
    live_server, login_page, browser, submitted_report_40_40_20, manager, approver, applicant_a
):
    report = submitted_report_40_40_20
    page = login_page(manager)
    page.goto(f"{live_server.url}/manage/reports/{report.pk}/")
    expect(page.get_by_text("Forty volunteers trained in two towns.").first).to_be_visible()
    page.get_by_role("textbox", name="Financial statement").fill(
        "Attach the receipts for the venue."
    )
    page.get_by_role("button", name="Request changes").click()
    expect(page.get_by_text("Attach the receipts for the venue.").first).to_be_visible()
    report.refresh_from_db()
    assert report.state == Report.State.CHANGES_REQUESTED
    assert list(report.comments.values_list("section", flat=True)) == ["financial"]

    report_submit(report=report, actor=applicant_a)  # the grantee's fix, clicked in their journey
    page.goto(f"{live_server.url}/manage/reports/{report.pk}/")
    page.get_by_role("button", name="Approve the report").click()
    expect(page.get_by_text("Approved").first).to_be_visible()
    second = Tranche.objects.get(grant=report.grant, number=2)
    assert second.state == Tranche.State.DUE

    # The approver, in a browser context of their own, approves and pays the due tranche.
    context = browser.new_context()
    approver_page = context.new_page()
    approver_page.goto(f"{live_server.url}/accounts/login/")
    approver_page.get_by_label("E-mail").fill(approver.email)
    approver_page.get_by_label("Password").fill("correct-horse-battery-staple")
    approver_page.get_by_role("button", name="Log in").click()
    approver_page.goto(f"{live_server.url}/manage/grants/{report.grant_id}/")
    tranche_row = approver_page.locator('li[data-tranche="2"]')
    tranche_row.get_by_role("button", name="Approve payment").click()
    tranche_row = approver_page.locator('li[data-tranche="2"]')
    tranche_row.get_by_text("Record payment").first.click()
    tranche_row.get_by_label("Paid on").fill(dt.date.today().isoformat())
    tranche_row.get_by_label("Payment reference").fill("BANK-2")
    tranche_row.get_by_role("button", name="Record payment").click()
    expect(approver_page.locator('li[data-tranche="2"]').get_by_text("BANK-2")).to_be_visible()
    second.refresh_from_db()
    assert (second.state, second.paid_amount, second.approved_by) == (
        Tranche.State.PAID,
        Decimal("3600.00"),
        approver,
    )
    context.close()
