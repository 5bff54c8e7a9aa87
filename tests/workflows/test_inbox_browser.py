"""The inbox in Chromium: an unread reminder shows in the header and opens the report."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.services.applications import application_submit
from grants.models import Report
from grants.services.grants import grant_create_from_application
from grants.services.reports import report_open
from workflows.notifications import notifications_sweep

pytestmark = pytest.mark.browser


def test_an_unread_reminder_links_to_the_report(
    live_server, login_page, draft, applicant_a, manager, django_capture_on_commit_callbacks
):
    application = application_submit(application=draft, actor=applicant_a)
    grant = grant_create_from_application(
        application=application, amount=Decimal("9000"), actor=manager
    )
    report = grant.reports.get(number=1)
    Report.objects.filter(pk=report.pk).update(due_date=timezone.localdate() + dt.timedelta(days=6))
    report_open(report=report, actor=manager)
    with django_capture_on_commit_callbacks(execute=True):
        notifications_sweep()

    page = login_page(applicant_a)
    inbox_link = page.get_by_role("link", name="Inbox")
    expect(inbox_link).to_contain_text("2")  # the reminder, and the application's receipt
    inbox_link.click()
    page.get_by_role("button", name=re.compile(r"Due in 7 days: Interim report 1")).click()
    expect(page).to_have_url(f"{live_server.url}/grants/{grant.pk}/reports/{report.pk}/")
    expect(page.get_by_role("link", name="Inbox")).to_contain_text("1")
