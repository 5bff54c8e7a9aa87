"""Whoever may not see org_a's application gets 404 on it and on everything under it,
and does not find it in any list. Nothing they send changes it."""

import pytest

from applications.models import Application
from applications.services.applications import application_submit, attachment_add, partner_add
from tests import factories as f

OUTSIDERS = ["applicant_b", "other_manager", None]


@pytest.fixture
def target(draft, applicant_a, pdf, org_b):
    """org_a's application, submitted, with a budget line, a partner and an attachment."""
    attachment = attachment_add(application=draft, actor=applicant_a, upload=pdf())
    partner = partner_add(application=draft, actor=applicant_a, organisation=org_b)
    application = application_submit(application=draft, actor=applicant_a)
    return {
        "application": application,
        "line": application.budget_lines.get(),
        "partner": partner,
        "attachment": attachment,
    }


def requests_on(target) -> list[tuple[str, str, dict]]:
    a = target["application"].pk
    base = f"/api/v1/applications/{a}"
    line, partner, file = target["line"].pk, target["partner"].pk, target["attachment"].pk
    return [
        ("get", f"{base}/", {}),
        ("patch", f"{base}/", {"version": target["application"].version, "title": "Mine now"}),
        ("post", f"{base}/submit/", {}),
        ("post", f"{base}/withdraw/", {}),
        ("post", f"{base}/mark_eligible/", {}),
        ("post", f"{base}/mark_ineligible/", {"reason": "No."}),
        ("post", f"{base}/request_clarification/", {"question": "Why?"}),
        ("post", f"{base}/resubmit/", {"answer": "Because."}),
        ("get", f"{base}/eligibility/", {}),
        ("get", f"{base}/history/", {}),
        ("get", f"{base}/budget-lines/", {}),
        ("post", f"{base}/budget-lines/", {"description": "x", "amount_requested": "1"}),
        ("get", f"{base}/budget-lines/{line}/", {}),
        ("patch", f"{base}/budget-lines/{line}/", {"amount_requested": "1"}),
        ("delete", f"{base}/budget-lines/{line}/", {}),
        ("get", f"{base}/partners/", {}),
        ("delete", f"{base}/partners/{partner}/", {}),
        ("get", f"{base}/attachments/", {}),
        ("get", f"{base}/attachments/{file}/", {}),
        ("get", f"{base}/attachments/{file}/download/", {}),
        ("delete", f"{base}/attachments/{file}/", {}),
    ]


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_it_answers_404_to_outsiders_everywhere_on_the_application(
    request, api_for, target, outsider
):
    api = api_for(request.getfixturevalue(outsider) if outsider else None)
    application = target["application"]
    for method, url, body in requests_on(target):
        response = getattr(api, method)(url, body, format="json")
        assert response.status_code == 404, (method, url, response.status_code, response.data)
        assert response.data["code"] == "not_found"

    application.refresh_from_db()
    assert application.state == Application.State.SUBMITTED
    assert application.title != "Mine now"
    assert application.budget_lines.count() == 1
    assert application.partners.count() == 1
    assert application.attachments.count() == 1


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_it_answers_404_to_an_outsider_uploading_a_file(request, api_for, draft, pdf, outsider):
    api = api_for(request.getfixturevalue(outsider) if outsider else None)
    response = api.post(
        f"/api/v1/applications/{draft.pk}/attachments/", {"file": pdf()}, format="multipart"
    )
    assert response.status_code == 404
    assert not draft.attachments.exists()


@pytest.mark.parametrize("outsider", ["applicant_b", "other_manager"])
def test_it_leaves_the_application_out_of_outsiders_lists(request, api_for, submitted, outsider):
    own = f.ApplicationFactory(call=submitted.call)  # someone else's draft, also invisible
    response = api_for(request.getfixturevalue(outsider)).get("/api/v1/applications/")
    assert response.status_code == 200
    ids = {row["id"] for row in response.data["results"]}
    assert submitted.pk not in ids
    assert own.pk not in ids


def test_it_asks_anonymous_callers_to_log_in_for_lists(api_for, submitted):
    response = api_for(None).get("/api/v1/applications/")
    assert response.status_code == 401
    assert response.data["code"] == "not_authenticated"


def test_it_hides_drafts_from_the_programme_manager(api_for, manager, draft):
    api = api_for(manager)
    assert api.get(f"/api/v1/applications/{draft.pk}/").status_code == 404
    assert api.get(f"/api/v1/applications/{draft.pk}/budget-lines/").status_code == 404
    assert api.get("/api/v1/applications/").data["count"] == 0


def test_it_shows_submitted_applications_to_the_programme_staff(
    api_for, manager, observer, submitted
):
    for staff in (manager, observer):
        response = api_for(staff).get("/api/v1/applications/")
        assert [row["id"] for row in response.data["results"]] == [submitted.pk]
        assert api_for(staff).get(f"/api/v1/applications/{submitted.pk}/").status_code == 200


def test_it_answers_403_to_staff_who_see_but_may_not_act(api_for, observer, submitted):
    response = api_for(observer).post(f"/api/v1/applications/{submitted.pk}/mark_eligible/")
    assert response.status_code == 403
    assert response.data["code"] == "permission_denied"
    submitted.refresh_from_db()
    assert submitted.state == Application.State.SUBMITTED


def test_it_answers_403_to_a_manager_editing_a_submitted_application(api_for, manager, submitted):
    response = api_for(manager).patch(
        f"/api/v1/applications/{submitted.pk}/",
        {"version": submitted.version, "title": "Improved by the manager"},
    )
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.title != "Improved by the manager"
