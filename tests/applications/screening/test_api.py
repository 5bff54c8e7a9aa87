"""Screening, clarification and the eligibility checklist of an application through the API."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from applications.models import Application


def url(application, suffix: str = "") -> str:
    return f"/api/v1/applications/{application.pk}/{suffix}"


def test_it_shows_each_user_their_own_available_transitions(
    api_for, applicant_a, manager, approver, observer, submitted
):
    def transitions(user):
        return set(api_for(user).get(url(submitted)).data["available_transitions"])

    assert transitions(applicant_a) == {"withdraw"}
    assert transitions(manager) == {"mark_eligible", "mark_ineligible", "request_clarification"}
    assert transitions(approver) == set()
    assert transitions(observer) == set()


def test_it_lets_the_manager_screen_an_application_eligible(api_for, manager, submitted):
    response = api_for(manager).post(url(submitted, "mark_eligible/"), {"comment": "All good"})
    assert response.status_code == 200, response.data
    assert response.data["state"] == "eligible"
    assert response.data["public_status"] == "Under review"
    submitted.refresh_from_db()
    assert submitted.screened_by == manager


def test_it_requires_a_reason_to_screen_an_application_ineligible(api_for, manager, submitted):
    api = api_for(manager)
    missing = api.post(url(submitted, "mark_ineligible/"), {})
    assert missing.status_code == 400
    assert "reason" in missing.data["errors"]
    blank = api.post(url(submitted, "mark_ineligible/"), {"reason": "   "})
    assert blank.status_code == 400
    submitted.refresh_from_db()
    assert submitted.state == Application.State.SUBMITTED

    response = api.post(url(submitted, "mark_ineligible/"), {"reason": "Registered in 2026."})
    assert response.status_code == 200
    assert response.data["state"] == "ineligible"
    assert response.data["eligibility_reason"] == "Registered in 2026."


def test_it_refuses_to_screen_twice(api_for, manager, submitted):
    api = api_for(manager)
    assert api.post(url(submitted, "mark_eligible/")).status_code == 200
    again = api.post(url(submitted, "mark_ineligible/"), {"reason": "Changed my mind"})
    assert again.status_code == 409
    assert again.data["code"] == "invalid_state"


def test_it_hides_the_application_from_another_programmes_manager(
    api_for, other_manager, submitted
):
    response = api_for(other_manager).post(url(submitted, "mark_eligible/"))
    assert response.status_code == 404
    submitted.refresh_from_db()
    assert submitted.state == Application.State.SUBMITTED


def test_it_refuses_screening_by_the_applicant(api_for, applicant_a, submitted):
    response = api_for(applicant_a).post(url(submitted, "mark_eligible/"))
    assert response.status_code == 403


def test_it_runs_a_clarification_round(api_for, manager, applicant_a, submitted):
    due = (timezone.now() + dt.timedelta(days=5)).isoformat()
    asked = api_for(manager).post(
        url(submitted, "request_clarification/"),
        {"question": "Which municipalities?", "response_due_at": due},
    )
    assert asked.status_code == 200, asked.data
    assert asked.data["state"] == "clarification_requested"
    assert asked.data["clarifications"][0]["question"] == "Which municipalities?"

    answered = api_for(applicant_a).post(url(submitted, "resubmit/"), {"answer": "Novi Sad."})
    assert answered.status_code == 200, answered.data
    assert answered.data["state"] == "submitted"
    assert answered.data["clarifications"][0]["answer"] == "Novi Sad."


def test_it_refuses_a_clarification_deadline_in_the_past(api_for, manager, submitted):
    response = api_for(manager).post(
        url(submitted, "request_clarification/"),
        {"question": "Which?", "response_due_at": "2020-01-01T00:00:00Z"},
    )
    assert response.status_code == 400
    assert "response_due_at" in response.data["errors"]


def test_it_shows_the_eligibility_checklist(api_for, manager, applicant_a, submitted):
    checks = api_for(manager).get(url(submitted, "eligibility/")).data
    assert [c["key"] for c in checks] == [
        "country",
        "org_type",
        "budget_lines",
        "amount",
        "cofinancing",
        "questions",
        "documents",
    ]
    assert all(c["passed"] for c in checks)
    assert api_for(applicant_a).get(url(submitted, "eligibility/")).data == checks


def test_it_flags_a_failed_check_in_the_checklist(api_for, applicant_a, draft):
    draft.budget_lines.update(amount_requested=Decimal("100"))
    checks = {c["key"]: c for c in api_for(applicant_a).get(url(draft, "eligibility/")).data}
    assert checks["amount"]["passed"] is False
    assert "5,000.00 EUR" in checks["amount"]["detail"]
    assert checks["country"]["passed"] is True
