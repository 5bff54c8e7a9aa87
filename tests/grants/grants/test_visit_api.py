"""Monitoring visits through the API: recorded by the manager with follow-up actions, which
the manager or the grantee close."""

from grants.models import FollowUpAction, MonitoringVisit
from tests.grants.conftest import url

VISIT = {
    "visited_on": "2027-03-01",
    "visitors": "Programme manager, finance officer",
    "findings": "Workshops on track; attendance lists incomplete.",
    "actions": [{"description": "Send the attendance lists", "due_date": "2027-04-01"}],
}


def test_it_records_a_visit_and_the_grantee_closes_its_action(
    api_for, grant_40_40_20, manager, applicant_a
):
    recorded = api_for(manager).post(url(grant_40_40_20, "visits"), VISIT)
    assert recorded.status_code == 201, recorded.data
    assert recorded.data["created_by"] == manager.display_name
    (action,) = recorded.data["actions"]
    assert (action["description"], action["closed_at"]) == ("Send the attendance lists", None)

    close = url(grant_40_40_20, "visits", recorded.data["id"], "actions", action["id"], "close")
    closed = api_for(applicant_a).post(close, {"note": "Sent on 20 March."})
    assert closed.status_code == 200, closed.data
    (action,) = closed.data["actions"]
    assert (action["closed_by"], action["closing_note"]) == (
        applicant_a.display_name,
        "Sent on 20 March.",
    )
    again = api_for(manager).post(close)
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_state"


def test_it_refuses_the_grantee_recording_a_visit(api_for, grant_40_40_20, applicant_a):
    response = api_for(applicant_a).post(url(grant_40_40_20, "visits"), VISIT)
    assert response.status_code == 403
    assert not MonitoringVisit.objects.exists()


def test_it_answers_400_without_findings(api_for, grant_40_40_20, manager):
    response = api_for(manager).post(url(grant_40_40_20, "visits"), {**VISIT, "findings": ""})
    assert response.status_code == 400
    assert "findings" in response.json()["errors"]


def test_it_answers_404_for_an_action_of_another_visit(
    api_for, grant_40_40_20, grant_factory, manager
):
    mine = api_for(manager).post(url(grant_40_40_20, "visits"), VISIT).data
    other = grant_factory()
    theirs = api_for(manager).post(url(other, "visits"), VISIT).data
    response = api_for(manager).post(
        url(grant_40_40_20, "visits", mine["id"], "actions", theirs["actions"][0]["id"], "close")
    )
    assert response.status_code == 404
    assert not FollowUpAction.objects.filter(closed_at__isnull=False).exists()
