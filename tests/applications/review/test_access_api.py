"""Whoever may not see a reviewer's assignment or a call's ranking gets 404 on it and on everything
under it — another reviewer of the same application included — and nothing they send changes
anything."""

import pytest

from applications.models import Review, ReviewAssignment
from applications.services.review import assignment_declare, review_save

# "second" reviews the same application; "outsider" is in the pool, assigned elsewhere or not.
OUTSIDERS = ["second", "outsider", "applicant_a", "other_manager", None]


def who(request, assigned, name):
    if name is None:
        return None
    return assigned[name] if name in assigned else request.getfixturevalue(name)


@pytest.fixture
def started(assigned):
    """`first` declared no conflict and saved a score: there is a review to protect."""
    assignment_declare(assignment=assigned["mine"], actor=assigned["first"], conflict=False)
    relevance = assigned["application"].call.criteria.get(title="Relevance")
    review_save(
        assignment=assigned["mine"],
        actor=assigned["first"],
        scores={relevance.pk: {"score": 4, "comment": "Mine."}},
    )
    return assigned


def requests_on(assigned) -> list[tuple[str, str, dict]]:
    base = f"/api/v1/assignments/{assigned['mine'].pk}"
    call = f"/api/v1/calls/{assigned['application'].call_id}"
    file = assigned["application"].attachments.get().pk
    return [
        ("get", f"{base}/", {}),
        ("post", f"{base}/declare/", {"conflict": True, "reason": "Mine now"}),
        ("post", f"{base}/decline/", {}),
        ("post", f"{base}/submit/", {}),
        ("post", f"{base}/reopen/", {}),
        ("get", f"{base}/review/", {}),
        ("patch", f"{base}/review/", {"version": 2, "overall_comment": "Mine now"}),
        ("get", f"{base}/application/", {}),
        ("get", f"{base}/attachments/{file}/", {}),
        ("get", f"{base}/other-reviews/", {}),
        ("get", f"{call}/ranking/", {}),
        ("get", f"{call}/ranking.csv", {}),
        ("get", f"{call}/reviewer-analysis/", {}),
        ("post", f"{call}/auto-assign/", {}),
    ]


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_it_answers_404_to_outsiders_on_assignments_reviews_and_ranking(
    request, api_for, started, outsider
):
    api = api_for(who(request, started, outsider))
    for method, url, body in requests_on(started):
        response = getattr(api, method)(url, body, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
        assert response.json()["code"] == "not_found"

    mine = ReviewAssignment.objects.get(pk=started["mine"].pk)
    assert mine.state == "accepted"
    assert Review.objects.get(assignment=mine).overall_comment != "Mine now"
    assert started["application"].assignments.count() == 2


@pytest.mark.parametrize("outsider", ["second", "outsider", "other_manager", None])
def test_it_answers_404_to_outsiders_recording_consensus(request, api_for, started, outsider):
    api = api_for(who(request, started, outsider))
    response = api.post(
        f"/api/v1/applications/{started['application'].pk}/consensus/", {"scores": []}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("outsider", ["second", "outsider", "applicant_a", "other_manager"])
def test_it_leaves_the_assignment_out_of_outsiders_lists(request, api_for, started, outsider):
    response = api_for(who(request, started, outsider)).get("/api/v1/assignments/")
    assert response.status_code == 200
    assert started["mine"].pk not in {row["id"] for row in response.data["results"]}


def test_it_asks_anonymous_callers_to_log_in_for_lists(api_for, started):
    assert api_for(None).get("/api/v1/assignments/").status_code == 401
    assert api_for(None).get("/api/v1/award-lists/").status_code == 401


def test_it_lets_only_the_assigned_reviewer_download_a_file_after_declaring(api_for, assigned):
    file = assigned["application"].attachments.get().pk
    url = f"/api/v1/assignments/{assigned['mine'].pk}/attachments/{file}/"
    api = api_for(assigned["first"])
    assert api.get(url).status_code == 404  # not declared yet
    assignment_declare(assignment=assigned["mine"], actor=assigned["first"], conflict=False)
    response = api.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    listed = api.get(f"/api/v1/assignments/{assigned['mine'].pk}/application/").data
    assert listed["attachments"][0]["download_url"].endswith(url)
