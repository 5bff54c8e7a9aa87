"""The grantee's journey after the award, in a real browser (Debian's Chromium, see
tests/conftest.py). The manager's steps are done through the services: their pages are
built elsewhere."""

import datetime as dt
import os
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from grants.models import Report
from grants.services.grants import tranche_approve, tranche_pay
from grants.services.reports import report_approve, report_open, report_request_changes
from tests import factories as f
from tests.samples import PDF_BYTES

pytestmark = pytest.mark.browser

SAVED = re.compile(r"Saved at \d\d:\d\d:\d\d")
SHOTS = os.environ.get("GRANTEE_SCREENSHOTS")  # a folder: screenshots of the key pages


def shoot(page, name):
    if not SHOTS:
        return
    for label, size in (("desktop", (1280, 900)), ("phone", (390, 844))):
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page.screenshot(path=f"{SHOTS}/grantee-{name}-{label}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def grant_with_receipts_obligation(call, draft, applicant_a, manager, indicator):
    """org_a's grant of 9,000 EUR from `draft`: tranches 40/40/20, the call's one obligation
    "Keep receipts for five years.", the programme's `indicator`; not signed."""
    return f.awarded_grant(
        call=call,
        draft=draft,
        member=applicant_a,
        manager=manager,
        tranches=f.TRANCHES_40_40_20,
        obligations="Keep receipts for five years.",
    )


def test_an_awarded_applicant_signs_reports_fixes_and_gets_paid(
    live_server, login_page, grant_with_receipts_obligation, applicant_a, manager, tmp_path
):
    page = login_page(applicant_a)

    # My grants → the grant → accept the agreement.
    page.goto(f"{live_server.url}/grants/")
    expect(
        page.get_by_text("The agreement is waiting for your organisation's signature.")
    ).to_be_visible()
    shoot(page, "grants")
    page.get_by_role("link", name=grant_with_receipts_obligation.title).click()
    expect(page.get_by_role("link", name="Download the agreement (PDF)")).to_be_visible()
    page.get_by_role("link", name="Accept the agreement").click()
    page.get_by_role("button", name="Accept the agreement").click()
    expect(
        page.get_by_text("The agreement is signed. The first tranche is now due")
    ).to_be_visible()
    expect(page.locator("#tranche-1")).to_contain_text("Due")
    expect(page.locator("#tranche-2")).to_contain_text("Planned")

    # The period ends; the programme team opens the interim report.
    interim = grant_with_receipts_obligation.reports.get(number=1)
    report_open(report=interim, actor=manager)
    page.reload()
    shoot(page, "grant")
    page.locator("#report-1").get_by_role("link", name="Write the report").click()
    expect(page.get_by_role("heading", name="Interim report 1")).to_be_visible()

    questions = grant_with_receipts_obligation.programme.report_questions
    page.get_by_label(questions[0]).fill("We trained 47 CSO representatives in three towns.")
    page.get_by_label(questions[1]).fill("One workshop moved because of floods.")
    page.get_by_label(questions[2]).fill("The final conference.")

    # The statement follows the typing, with a warning beyond the flexibility.
    line = grant_with_receipts_obligation.budget_lines.get()
    spent = page.get_by_label(f"Spent on {line.description}")
    spent.fill("10000")
    expect(page.locator(f"#var-{line.pk}")).to_have_text("-1,000.00 EUR")
    expect(page.locator(f"#warn-{line.pk}")).to_contain_text("Over budget by 11.11 %")
    spent.fill("4000")
    expect(page.locator(f"#var-{line.pk}")).to_have_text("5,000.00 EUR")
    expect(page.locator(f"#warn-{line.pk}")).to_have_text("")
    page.get_by_label("Achieved: CSO representatives trained").fill("47")
    expect(page.locator("#save-status")).to_have_text(SAVED)
    shoot(page, "report")
    page.get_by_role("button", name="Submit the report").click()
    expect(page.get_by_text("Your report was submitted.")).to_be_visible()
    expect(page.locator("#report-1")).to_contain_text("Submitted")

    # The manager asks for receipts.
    report_request_changes(
        report=Report.objects.get(pk=interim.pk),
        actor=manager,
        comments={"financial": "Attach the receipts for the venue; the venue cost 4,200."},
    )
    page.reload()
    page.locator("#report-1").get_by_role("link", name="See what to fix").click()
    comment = page.locator("#financial #comments-financial")
    expect(comment).to_contain_text("Attach the receipts for the venue")
    shoot(page, "report-changes")

    # Fix: the amount, and the receipts.
    spent = page.get_by_label(f"Spent on {line.description}")
    expect(spent).to_have_value("4000.00")
    spent.fill("4200")
    expect(page.locator(f"#var-{line.pk}")).to_have_text("4,800.00 EUR")
    expect(page.locator("#save-status")).to_have_text(SAVED)
    receipts = tmp_path / "venue-receipts.pdf"
    receipts.write_bytes(PDF_BYTES)
    page.get_by_label("Add a document").set_input_files(str(receipts))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("link", name="venue-receipts.pdf")).to_be_visible()
    page.get_by_role("button", name="Submit the report").click()
    expect(page.get_by_text("Your report was submitted.")).to_be_visible()

    interim.refresh_from_db()
    assert interim.state == Report.State.SUBMITTED
    assert interim.financial_lines.get().spent == Decimal("4200")
    assert interim.indicator_values.get().value == Decimal("47")

    # The manager approves: the second tranche becomes due.
    report_approve(report=interim, actor=manager)
    page.reload()
    expect(page.locator("#report-1")).to_contain_text("Approved")
    expect(page.locator("#tranche-2")).to_contain_text("Due")

    # It is approved for payment and paid.
    second = grant_with_receipts_obligation.tranches.get(number=2)
    tranche_approve(tranche=second, actor=manager)
    tranche_pay(tranche=second, actor=manager, paid_on=dt.date(2027, 8, 1), reference="BANK-2")
    page.reload()
    expect(page.locator("#tranche-2")).to_contain_text("Paid")
    expect(page.locator("#tranche-2")).to_contain_text("3,600.00 EUR · 1 Aug 2027 · BANK-2")
    page.goto(f"{live_server.url}/grants/")
    expect(page.get_by_text("Nothing due").or_(page.get_by_text("Final report 2"))).to_be_visible()
