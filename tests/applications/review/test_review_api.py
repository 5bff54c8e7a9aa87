"""Scoring through the API: autosave with validation and versions, submission, other reviews."""

import pytest

from applications.models import ReviewAssignment, Score
from applications.services.review import assignment_declare
from grants.models import Call
from tests import factories as f


def url(assignment, suffix: str = "") -> str:
    return f"/api/v1/assignments/{assignment.pk}/{suffix}"


@pytest.fixture
def accepted_with_criteria(assigned):
    assignment_declare(assignment=assigned["mine"], actor=assigned["first"], conflict=False)
    criteria = {c.title: c.pk for c in assigned["application"].call.criteria.all()}
    return {**assigned, "criteria": criteria}


def test_it_shows_an_empty_review_with_a_row_per_criterion(api_for, accepted_with_criteria):
    response = api_for(accepted_with_criteria["first"]).get(
        url(accepted_with_criteria["mine"], "review/")
    )
    assert response.status_code == 200
    data = response.data
    assert data["state"] == "accepted"
    assert data["editable"] is True
    assert data["version"] == 1
    assert data["available_transitions"] == ["submit"]
    assert [(row["title"], row["score"]) for row in data["scores"]] == [
        ("Relevance", None),
        ("Feasibility", None),
    ]
    assert data["score_step"] == "0.50"


def test_it_saves_scores_and_comments_and_bumps_the_version(api_for, accepted_with_criteria):
    relevance = accepted_with_criteria["criteria"]["Relevance"]
    response = api_for(accepted_with_criteria["first"]).patch(
        url(accepted_with_criteria["mine"], "review/"),
        {
            "version": 1,
            "scores": [{"criterion": relevance, "score": "4.5", "comment": "Clear need."}],
            "overall_comment": "Promising.",
            "recommendation": "fund",
        },
    )
    assert response.status_code == 200, response.data
    assert response.data["version"] == 2
    rows = {row["criterion"]: row for row in response.data["scores"]}
    assert rows[relevance]["score"] == "4.50"
    assert rows[relevance]["comment"] == "Clear need."
    assert rows[accepted_with_criteria["criteria"]["Feasibility"]]["score"] is None
    assert response.data["recommendation"] == "fund"


@pytest.mark.parametrize(
    ("value", "message"), [("5.5", "from 0 to 5"), ("-1", "from 0 to 5"), ("4.25", "steps of 0.5")]
)
def test_it_refuses_a_score_out_of_range_or_off_step(
    api_for, accepted_with_criteria, value, message
):
    relevance = accepted_with_criteria["criteria"]["Relevance"]
    response = api_for(accepted_with_criteria["first"]).patch(
        url(accepted_with_criteria["mine"], "review/"),
        {"version": 1, "scores": [{"criterion": relevance, "score": value}]},
    )
    assert response.status_code == 400
    key = f"scores.{relevance}.score"
    assert list(response.data["errors"]) == [key]
    assert message in response.data["errors"][key][0]
    assert not Score.objects.exists()


def test_it_keeps_a_blank_score_null_never_zero(api_for, accepted_with_criteria):
    relevance = accepted_with_criteria["criteria"]["Relevance"]
    api = api_for(accepted_with_criteria["first"])
    api.patch(
        url(accepted_with_criteria["mine"], "review/"),
        {"version": 1, "scores": [{"criterion": relevance, "score": "3", "comment": "Ok."}]},
    )
    response = api.patch(
        url(accepted_with_criteria["mine"], "review/"),
        {"version": 2, "scores": [{"criterion": relevance, "score": ""}]},
    )
    assert response.status_code == 200, response.data
    row = next(r for r in response.data["scores"] if r["criterion"] == relevance)
    assert row["score"] is None
    assert row["comment"] == "Ok."  # not sent: kept
    assert Score.objects.get(criterion_id=relevance).score is None
    response = api.patch(
        url(accepted_with_criteria["mine"], "review/"),
        {"version": 3, "scores": [{"criterion": relevance, "score": None}]},
    )
    assert response.status_code == 200
    assert Score.objects.get(criterion_id=relevance).score is None


def test_it_refuses_a_stale_version(api_for, accepted_with_criteria):
    api = api_for(accepted_with_criteria["first"])
    relevance = accepted_with_criteria["criteria"]["Relevance"]
    first = api.patch(
        url(accepted_with_criteria["mine"], "review/"),
        {"version": 1, "scores": [{"criterion": relevance, "score": "4"}]},
    )
    assert first.status_code == 200
    stale = api.patch(
        url(accepted_with_criteria["mine"], "review/"),
        {"version": 1, "scores": [{"criterion": relevance, "score": "1"}]},
    )
    assert stale.status_code == 409
    assert stale.data["code"] == "stale_version"
    assert Score.objects.get(criterion_id=relevance).score == 4


def test_it_requires_the_version(api_for, accepted_with_criteria):
    response = api_for(accepted_with_criteria["first"]).patch(
        url(accepted_with_criteria["mine"], "review/"), {"overall_comment": "x"}
    )
    assert response.status_code == 400
    assert "version" in response.data["errors"]


def test_it_refuses_to_save_before_the_declaration(api_for, assigned):
    response = api_for(assigned["first"]).patch(
        url(assigned["mine"], "review/"), {"version": 1, "overall_comment": "Early."}
    )
    assert response.status_code == 409
    assert response.data["code"] == "not_editable"


def test_it_lists_everything_missing_when_submitting_an_incomplete_review(
    api_for, accepted_with_criteria
):
    relevance = accepted_with_criteria["criteria"]["Relevance"]
    feasibility = accepted_with_criteria["criteria"]["Feasibility"]
    api = api_for(accepted_with_criteria["first"])
    api.patch(
        url(accepted_with_criteria["mine"], "review/"),
        {"version": 1, "scores": [{"criterion": relevance, "score": "4"}]},
    )
    response = api.post(url(accepted_with_criteria["mine"], "submit/"))
    assert response.status_code == 400
    assert set(response.data["errors"]) == {
        f"scores.{relevance}.comment",
        f"scores.{feasibility}.score",
        f"scores.{feasibility}.comment",
        "recommendation",
    }
    assert ReviewAssignment.objects.get(pk=accepted_with_criteria["mine"].pk).state == "accepted"


def test_it_submits_a_complete_review_and_locks_it(api_for, accepted_with_criteria):
    api = api_for(accepted_with_criteria["first"])
    api.patch(
        url(accepted_with_criteria["mine"], "review/"),
        {
            "version": 1,
            "scores": [
                {"criterion": pk, "score": "4", "comment": "Convincing."}
                for pk in accepted_with_criteria["criteria"].values()
            ],
            "recommendation": "fund",
        },
    )
    response = api.post(url(accepted_with_criteria["mine"], "submit/"))
    assert response.status_code == 200, response.data
    assert response.data["state"] == "submitted"
    assert response.data["submitted_at"]
    review = api.get(url(accepted_with_criteria["mine"], "review/")).data
    assert review["editable"] is False
    locked = api.patch(
        url(accepted_with_criteria["mine"], "review/"), {"version": review["version"]}
    )
    assert locked.status_code == 409
    assert api.post(url(accepted_with_criteria["mine"], "submit/")).status_code == 409


def test_it_answers_403_to_the_manager_submitting_the_review(
    api_for, accepted_with_criteria, manager
):
    response = api_for(manager).post(url(accepted_with_criteria["mine"], "submit/"))
    assert response.status_code == 403
    assert ReviewAssignment.objects.get(pk=accepted_with_criteria["mine"].pk).state == "accepted"


def test_it_hides_other_reviews_until_the_reviewer_submitted(api_for, assigned):
    f.score(assigned["theirs"], {"Relevance": 2, "Feasibility": 3}, comment="Thin budget.")
    api = api_for(assigned["first"])
    assert api.get(url(assigned["mine"], "other-reviews/")).data == []
    f.score(assigned["mine"], {"Relevance": 4, "Feasibility": 4})
    response = api.get(url(assigned["mine"], "other-reviews/"))
    assert response.status_code == 200
    [other] = response.data
    assert other["label"] == "Reviewer 1"
    assert {s["criterion_title"]: s["score"] for s in other["scores"]} == {
        "Relevance": "2.00",
        "Feasibility": "3.00",
    }
    assert other["scores"][0]["comment"] == "Thin budget."
    assert assigned["second"].email not in response.content.decode()
    assert str(assigned["second"].pk) not in {str(v) for v in other.values()}


def test_it_never_shows_other_reviews_when_the_call_keeps_them_private(api_for, assigned):
    Call.objects.filter(pk=assigned["application"].call_id).update(other_reviews_visible="never")
    f.score(assigned["theirs"], {"Relevance": 2, "Feasibility": 3})
    f.score(assigned["mine"], {"Relevance": 4, "Feasibility": 4})
    assert api_for(assigned["first"]).get(url(assigned["mine"], "other-reviews/")).data == []
