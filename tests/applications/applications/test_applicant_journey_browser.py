"""The applicant's journeys in a real browser (Debian's Chromium, see tests/conftest.py)."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import Answer, Application
from grants.models import Call

pytestmark = pytest.mark.browser

SAVED = re.compile(r"Saved at \d\d:\d\d:\d\d")


def test_an_applicant_registers_applies_and_gets_a_receipt(live_server, page, call, pdf_path):
    # Register: the account logs in and lands on the dashboard.
    page.goto(f"{live_server.url}/accounts/register/")
    page.get_by_label("E-mail").fill("jelena@zelenigrad.example")
    page.get_by_label("Full name").fill("Jelena Petrović")
    page.get_by_label("Password", exact=True).fill("green-city-2027-rivers")
    page.get_by_label("Password (again)").fill("green-city-2027-rivers")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Welcome, Jelena Petrović")).to_be_visible()

    # The organisation profile, from the dashboard.
    page.get_by_label("Legal name").fill("Udruženje Zeleni Grad")
    page.get_by_label("Short name").fill("ZG")
    page.get_by_label("Country").select_option(label="Serbia")
    page.get_by_label("City").fill("Niš")
    page.get_by_label("Registration number").fill("28123456")
    page.get_by_label("Type").select_option(label="Civil society organisation")
    page.get_by_role("button", name="Create profile").click()
    expect(page.get_by_text("The profile of Udruženje Zeleni Grad is ready")).to_be_visible()

    # The open call, and a new draft.
    page.get_by_role("link", name="Open calls").click()
    page.get_by_role("link", name=call.title).click()
    expect(page.get_by_text("(Europe/Belgrade)").first).to_be_visible()
    page.get_by_role("link", name="Apply").click()
    page.get_by_label("Project title").fill("Green schoolyards in Niš")
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("heading", name="Green schoolyards in Niš")).to_be_visible()

    # Answers, with the character counter following the typing.
    summary = page.get_by_label("Project summary")
    summary.press_sequentially("Ten schoolyards get trees.")
    expect(page.get_by_text("26 of 500 characters")).to_be_visible()
    page.get_by_label("Number of participants").fill("300")

    # The budget: totals and co-financing follow every keystroke.
    page.get_by_label("Category, line 1").select_option(label="Activities and events")
    page.get_by_label("Description, line 1").fill("Planting days with pupils")
    page.get_by_label("Requested, line 1").press_sequentially("6000")
    expect(page.locator("#sum-requested")).to_have_text("6,000.00 EUR")
    page.get_by_label("Own contribution, line 1").press_sequentially("500")
    expect(page.locator("#sum-total")).to_have_text("6,500.00 EUR")
    expect(page.locator("#summary-cofinancing")).to_have_text("7.69 %")
    expect(page.locator("#check-cofinancing")).to_contain_text("does not meet the rule yet")

    page.get_by_role("button", name="Add a budget line").click()
    page.get_by_label("Category, line 2").select_option(label="Equipment and supplies")
    page.get_by_label("Description, line 2").fill("Saplings and tools")
    page.get_by_label("Requested, line 2").press_sequentially("2000")
    page.get_by_label("Own contribution, line 2").press_sequentially("500")
    expect(page.locator("#sum-requested")).to_have_text("8,000.00 EUR")
    expect(page.locator("#sum-own")).to_have_text("1,000.00 EUR")
    expect(page.locator("#sum-total")).to_have_text("9,000.00 EUR")
    expect(page.locator("#summary-cofinancing")).to_have_text("11.11 %")
    expect(page.locator("#check-cofinancing")).to_contain_text("meets the rule")
    expect(page.locator("#check-amount")).to_contain_text("meets the rule")
    expect(page.locator("#save-status")).to_contain_text(SAVED)
    expect(page.locator("#checklist")).to_contain_text("Ready to submit.")

    # A PDF for the statute question.
    page.get_by_label("Statute of the organisation").set_input_files(pdf_path)
    page.get_by_role("button", name="Upload Statute of the organisation").click()
    expect(page.get_by_text("“statute.pdf” uploaded.")).to_be_visible()

    # Submit, and the receipt.
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("heading", name="Application received")).to_be_visible()
    expect(page.locator("#reference")).to_have_text(re.compile(r"^NAT-\d{4}-\d{5}$"))
    expect(page.get_by_text("(Europe/Belgrade)")).to_be_visible()
    expect(page.get_by_text("8,000.00 EUR")).to_be_visible()

    application = Application.objects.get(title="Green schoolyards in Niš")
    assert application.state == Application.State.SUBMITTED
    assert application.attachments.get().original_name == "statute.pdf"
    assert [line.description for line in application.budget_lines.all()] == [
        "Planting days with pupils",
        "Saplings and tools",
    ]


def test_a_late_submission_is_refused_and_the_draft_survives(editor, applicant_a, draft, call):
    page = editor(applicant_a, draft)
    summary = page.get_by_label("Project summary")
    summary.fill("Written in the last minute before the deadline.")
    expect(page.locator("#save-status")).to_contain_text(SAVED)

    # The deadline passes while the page is open.
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("alert").first).to_contain_text("submissions are no longer accepted")
    expect(page.get_by_text("Your draft is kept", exact=False).first).to_be_visible()

    page.reload()
    expect(page.get_by_label("Project summary")).to_have_value(
        "Written in the last minute before the deadline."
    )
    expect(page.get_by_label("Requested, line 1")).to_have_value("9000.00")
    draft.refresh_from_db()
    assert draft.state == Application.State.DRAFT


def test_autosave_keeps_the_text_across_a_reload(editor, applicant_a, draft, call):
    page = editor(applicant_a, draft)
    page.get_by_label("Project title").fill("Clean rivers, clear minds")
    page.get_by_label("Project summary").fill("Volunteers clean the Danube banks each month.")
    expect(page.locator("#save-status")).to_contain_text(SAVED)

    page.reload()
    expect(page.get_by_label("Project title")).to_have_value("Clean rivers, clear minds")
    expect(page.get_by_label("Project summary")).to_have_value(
        "Volunteers clean the Danube banks each month."
    )


def test_a_concurrent_edit_is_reported_and_nothing_typed_is_lost(
    live_server, browser, editor, applicant_a, colleague_a, draft, call
):
    from tests import factories as f

    ana = editor(applicant_a, draft)
    other = browser.new_context()
    marko = other.new_page()
    marko.goto(f"{live_server.url}/accounts/login/")
    marko.get_by_label("E-mail").fill(colleague_a.email)
    marko.get_by_label("Password").fill(f.PASSWORD)
    marko.get_by_role("button", name="Log in").click()
    marko.goto(f"{live_server.url}/applications/{draft.pk}/edit/")

    ana.get_by_label("Project summary").fill("Ana's version of the summary.")
    expect(ana.locator("#save-status")).to_contain_text(SAVED)

    marko.get_by_label("Project summary").fill("Marko's version of the summary.")
    conflict = marko.locator("#save-status")
    expect(conflict).to_contain_text("someone else changed this application")
    expect(conflict).to_contain_text("Your text is still in the form.")
    expect(marko.get_by_label("Project summary")).to_have_value("Marko's version of the summary.")
    summary = call.questions.get(label="Project summary")
    assert Answer.objects.get(application=draft, question=summary).value == (
        "Ana's version of the summary."
    )
    other.close()
