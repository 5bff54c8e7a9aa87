"""Who may open and use the manager's grant pages: the programme's manager reads and acts;
its approver and donor observer read; the approver also approves and pays tranches; the
observer acts on nothing (403). A manager of another programme, the applicants (even the
grantee) and a reviewer get 404; anonymous visitors are sent to log in."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from grants.models import ReportAttachment

OUTSIDERS = ["other_manager", "applicant_a", "applicant_b", "reviewer"]


@pytest.fixture
def grant_pages(programme, signed_grant, submitted_report, parent_grant):
    attachment = ReportAttachment.objects.create(
        report=submitted_report,
        file=ContentFile(b"%PDF-1.4 receipt", name="receipt.pdf"),
        original_name="Venue receipt.pdf",
        content_type="application/pdf",
        size=16,
    )
    return {
        "attachment": reverse(
            "manage-report-attachment", args=[submitted_report.pk, attachment.pk]
        ),
        "portfolio": reverse("manage-portfolio", args=[programme.pk]),
        "portfolio-export": reverse("manage-portfolio-export", args=[programme.pk]),
        "grant": reverse("manage-grant", args=[signed_grant.pk]),
        "report": reverse("manage-report", args=[submitted_report.pk]),
        "exchange-rates": reverse("manage-exchange-rates", args=[programme.pk]),
        "donor-report": reverse("manage-donor-report", args=[programme.pk]),
        "incoming-grant": reverse("manage-incoming-grant", args=[parent_grant.pk]),
    }


@pytest.fixture
def grant_actions(programme, signed_grant, submitted_report, amendment, follow_up):
    tranche = signed_grant.tranches.get(number=1)
    return {
        "tranche-make-due": reverse("manage-tranche-make-due", args=[tranche.pk]),
        "tranche-approve": reverse("manage-tranche-approve", args=[tranche.pk]),
        "tranche-pay": reverse("manage-tranche-pay", args=[tranche.pk]),
        "report-open": reverse("manage-report-open", args=[submitted_report.pk]),
        "report-approve": reverse("manage-report-approve", args=[submitted_report.pk]),
        "report-changes": reverse("manage-report-request-changes", args=[submitted_report.pk]),
        "amendment-decide": reverse("manage-amendment-decide", args=[amendment.pk]),
        "visit-create": reverse("manage-visit-create", args=[signed_grant.pk]),
        "follow-up-close": reverse("manage-follow-up-close", args=[follow_up.pk]),
        "exchange-rate-add": reverse("manage-exchange-rates", args=[programme.pk]),
    }


PAGE_NAMES = [
    "attachment",
    "portfolio",
    "portfolio-export",
    "grant",
    "report",
    "exchange-rates",
    "donor-report",
    "incoming-grant",
]
ACTION_NAMES = [
    "tranche-make-due",
    "tranche-approve",
    "tranche-pay",
    "report-open",
    "report-approve",
    "report-changes",
    "amendment-decide",
    "visit-create",
    "follow-up-close",
    "exchange-rate-add",
]
# The approver is the checker of payments: it may approve and pay tranches, nothing else.
APPROVER_MAY = {"tranche-approve", "tranche-pay"}


@pytest.mark.parametrize("persona", ["manager", "approver", "observer"])
@pytest.mark.parametrize("page", PAGE_NAMES)
def test_it_shows_every_page_to_the_programme_staff(client, request, grant_pages, page, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(grant_pages[page]).status_code == 200


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize("page", PAGE_NAMES)
def test_it_hides_every_page_from_outsiders(client, request, grant_pages, page, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(grant_pages[page]).status_code == 404


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize("action", ACTION_NAMES)
def test_it_hides_every_action_from_outsiders(client, request, grant_actions, action, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(grant_actions[action]).status_code == 404


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_it_sends_anonymous_visitors_to_log_in(client, grant_pages, page):
    response = client.get(grant_pages[page])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("action", ACTION_NAMES)
def test_it_lets_the_observer_read_but_not_act(client, observer, grant_actions, action):
    client.force_login(observer)
    assert client.post(grant_actions[action]).status_code == 403


@pytest.mark.parametrize("action", sorted(set(ACTION_NAMES) - APPROVER_MAY))
def test_it_keeps_the_approver_to_payments(client, approver, grant_actions, action):
    client.force_login(approver)
    assert client.post(grant_actions[action]).status_code == 403


def test_it_streams_a_report_attachment_to_the_staff(client, observer, grant_pages):
    client.force_login(observer)
    response = client.get(grant_pages["attachment"])
    assert b"".join(response.streaming_content) == b"%PDF-1.4 receipt"
    assert 'filename="Venue receipt.pdf"' in response["Content-Disposition"]
    report_page = client.get(grant_pages["report"]).content.decode()
    assert f'href="{grant_pages["attachment"]}"' in report_page


def test_it_shows_the_observer_no_buttons(
    client, observer, grant_pages, signed_grant, submitted_report
):
    client.force_login(observer)
    grant_page = client.get(grant_pages["grant"]).content.decode()
    report_page = client.get(grant_pages["report"]).content.decode()
    assert "Approve payment" not in grant_page and "Record a visit" not in grant_page
    assert "Approve the report" not in report_page and "Request changes" not in report_page
