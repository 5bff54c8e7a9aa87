"""The grant page: schedules, amendments and follow-up actions."""

import datetime as dt

from django.urls import reverse

from grants.models import Amendment
from grants.services.amendments import amendment_decide
from grants.services.visits import visit_record


def test_it_shows_the_schedules_and_history(client_for, signed_grant_with_obligations, applicant_a):
    body = (
        client_for(applicant_a)
        .get(reverse("grantee-grant", args=[signed_grant_with_obligations.pk]))
        .content.decode()
    )
    assert "On signature of this agreement" in body
    assert "On approval of the interim report no. 1" in body
    assert "Interim report 1" in body and "Final report 2" in body
    assert "Awarded → Contracted" in body  # the history


def test_it_sends_a_budget_reallocation_only_when_the_total_stays(
    client_for, signed_grant_with_obligations, applicant_a, manager
):
    line = signed_grant_with_obligations.budget_lines.get()
    client = client_for(applicant_a)
    url = reverse("grantee-amendment-create", args=[signed_grant_with_obligations.pk])
    data = {"kind": "budget", "justification": "Venues cost more.", f"line-{line.pk}": "9500"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "the total must stay the same" in response.content.decode()
    assert not Amendment.objects.exists()


def test_it_requests_an_extension_and_shows_the_decision(
    client_for, signed_grant_with_obligations, applicant_a, manager
):
    client = client_for(applicant_a)
    new_end = signed_grant_with_obligations.end_date + dt.timedelta(days=60)
    response = client.post(
        reverse("grantee-amendment-create", args=[signed_grant_with_obligations.pk]),
        {"kind": "extension", "justification": "Floods.", "end_date": new_end.isoformat()},
    )
    assert response.status_code == 302
    amendment = Amendment.objects.get()
    amendment_decide(amendment=amendment, actor=manager, approve=False, comment="Not needed yet.")
    body = client.get(
        reverse("grantee-grant", args=[signed_grant_with_obligations.pk])
    ).content.decode()
    assert "Rejected" in body and "Not needed yet." in body


def test_it_lets_the_grantee_close_a_follow_up_action(
    client_for, signed_grant_with_obligations, colleague_a, manager
):
    visit = visit_record(
        grant=signed_grant_with_obligations,
        actor=manager,
        visited_on=dt.date(2027, 3, 1),
        visitors="PM",
        findings="Participant lists incomplete.",
        actions=[{"description": "Complete the lists", "due_date": dt.date(2027, 4, 1)}],
    )
    action = visit.actions.get()
    client = client_for(colleague_a)
    response = client.post(
        reverse("grantee-action-close", args=[signed_grant_with_obligations.pk, action.pk]),
        {"note": "Sent them."},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.closed_by == colleague_a and action.closing_note == "Sent them."
