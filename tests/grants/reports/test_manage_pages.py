"""The manager's report pages: opening, requesting changes per section, approval."""

from django.urls import reverse

from grants.policies import forget_roles
from tests import factories as f


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_it_requests_changes_with_a_comment_per_section(client_for, manager, submitted_report):
    client = client_for(manager)
    response = client.post(
        reverse("manage-report-request-changes", args=[submitted_report.pk]),
        {"financial": "Attach the venue receipts.", "indicators": "Count women separately."},
        follow=True,
    )
    submitted_report.refresh_from_db()
    assert submitted_report.state == "changes_requested"
    assert sorted(submitted_report.comments.values_list("section", "text")) == [
        ("financial", "Attach the venue receipts."),
        ("indicators", "Count women separately."),
    ]
    assert "Attach the venue receipts." in response.content.decode()


def test_it_refuses_a_request_for_changes_without_a_comment(client_for, manager, submitted_report):
    response = client_for(manager).post(
        reverse("manage-report-request-changes", args=[submitted_report.pk]), {}
    )
    assert response.status_code == 400
    submitted_report.refresh_from_db()
    assert submitted_report.state == "submitted"


def test_it_approves_a_report_and_the_waiting_tranche_stays_planned(
    client_for, manager, submitted_report
):
    response = client_for(manager).post(
        reverse("manage-report-approve", args=[submitted_report.pk]), follow=True
    )
    submitted_report.refresh_from_db()
    assert submitted_report.state == "approved"
    assert "Report approved" in " ".join(_messages(response))


def test_it_refuses_approval_by_a_member_of_the_grantee(
    client_for, manager, submitted_report, org_a
):
    f.MembershipFactory(user=manager, organisation=org_a, role="member")
    forget_roles(manager)
    client = client_for(manager)
    page = client.get(reverse("manage-report", args=[submitted_report.pk])).content.decode()
    assert "Approve the report" not in page
    response = client.post(
        reverse("manage-report-approve", args=[submitted_report.pk]), follow=True
    )
    submitted_report.refresh_from_db()
    assert submitted_report.state == "submitted"
    assert _messages(response) == ["You are not allowed to do this."]


def test_it_opens_a_scheduled_report(client_for, manager, signed_grant):
    report = signed_grant.reports.get(number=1)
    client_for(manager).post(reverse("manage-report-open", args=[report.pk]))
    report.refresh_from_db()
    assert report.state == "open"
