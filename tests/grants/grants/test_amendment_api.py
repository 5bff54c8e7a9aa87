"""Amendments through the API: the grantee asks, the manager decides; an approved amendment
changes the grant and keeps the old values."""

import datetime as dt

from grants.models import Amendment, Grant
from tests.grants.conftest import url


def extension(grant, days: int = 90) -> dict:
    return {
        "kind": "extension",
        "justification": "Floods delayed the workshops.",
        "changes": {"end_date": (grant.end_date + dt.timedelta(days=days)).isoformat()},
    }


def test_it_changes_the_grant_on_approval_and_keeps_the_old_values(
    api_for, grant_40_40_20, applicant_a, manager
):
    old_end = grant_40_40_20.end_date
    requested = api_for(applicant_a).post(
        url(grant_40_40_20, "amendments"), extension(grant_40_40_20)
    )
    assert requested.status_code == 201, requested.data
    assert (requested.data["state"], requested.data["available_transitions"]) == (
        "requested",
        [],
    )
    assert requested.data["requested_by"] == applicant_a.display_name
    path = url(grant_40_40_20, "amendments", requested.data["id"])
    assert api_for(manager).get(path).data["available_transitions"] == ["approve", "reject"]

    approved = api_for(manager).post(f"{path}approve/", {"comment": "Agreed."})
    assert approved.status_code == 200, approved.data
    assert approved.data["state"] == "approved"
    assert approved.data["previous"] == {"end_date": old_end.isoformat()}
    new_end = old_end + dt.timedelta(days=90)
    assert api_for(applicant_a).get(url(grant_40_40_20)).data["end_date"] == new_end.isoformat()
    assert Grant.objects.get().reports.get(kind="final").period_end == new_end


def test_it_refuses_the_grantee_approving_its_own_amendment(api_for, grant_40_40_20, applicant_a):
    requested = api_for(applicant_a).post(
        url(grant_40_40_20, "amendments"), extension(grant_40_40_20)
    )
    response = api_for(applicant_a).post(
        url(grant_40_40_20, "amendments", requested.data["id"], "approve")
    )
    assert response.status_code == 403
    assert Amendment.objects.get().state == "requested"
    assert Grant.objects.get().end_date == grant_40_40_20.end_date


def test_it_requires_a_reason_to_reject(api_for, grant_40_40_20, applicant_a, manager):
    requested = api_for(applicant_a).post(
        url(grant_40_40_20, "amendments"), extension(grant_40_40_20)
    )
    path = url(grant_40_40_20, "amendments", requested.data["id"], "reject")
    assert api_for(manager).post(path, {}).status_code == 400
    rejected = api_for(manager).post(path, {"comment": "The final report is already due."})
    assert rejected.status_code == 200
    assert (rejected.data["state"], rejected.data["decision_comment"]) == (
        "rejected",
        "The final report is already due.",
    )
    again = api_for(manager).post(f"{path[: -len('reject/')]}approve/")
    assert again.status_code == 409
    assert Grant.objects.get().end_date == grant_40_40_20.end_date


def test_it_refuses_an_extension_that_ends_earlier(api_for, grant_40_40_20, applicant_a):
    response = api_for(applicant_a).post(
        url(grant_40_40_20, "amendments"), extension(grant_40_40_20, days=-10)
    )
    assert response.status_code == 400
    assert "changes" in response.json()["errors"]


def test_it_refuses_the_manager_requesting_for_the_grantee(api_for, grant_40_40_20, manager):
    response = api_for(manager).post(url(grant_40_40_20, "amendments"), extension(grant_40_40_20))
    assert response.status_code == 403
    assert not Amendment.objects.exists()
