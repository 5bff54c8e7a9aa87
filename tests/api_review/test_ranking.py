"""The ranking of a call, its CSV export, the reviewer analysis and consensus, through the API."""

import csv
import io
from decimal import Decimal

import pytest

from applications.models import Application, ConsensusScore
from applications.selectors.ranking import call_ranking, reviewer_normalisation
from tests.api_review.conftest import score


def test_it_ranks_the_example_as_computed_by_hand(api_for, ranked, call, manager):
    response = api_for(manager).get(f"/api/v1/calls/{call.pk}/ranking/")
    assert response.status_code == 200, response.data
    data = response.data
    by_id = {row["application"]: row for row in data["rows"]}
    got = {
        key: (by_id[app.pk]["rank"], by_id[app.pk]["total"], by_id[app.pk]["proposal"])
        for key, app in ranked.items()
    }
    assert got == {
        "X": (1, "86.00", "award"),
        "Z": (2, "72.00", "award"),
        "Y": (3, "64.00", "reserve"),
    }
    assert (data["budget"], data["already_awarded"]) == ("25000.00", "0.00")
    assert (data["proposed_total"], data["remaining"]) == ("20000.00", "5000.00")
    assert data["currency"] == "EUR"
    assert data["tie_break"]
    x = by_id[ranked["X"].pk]
    assert x["requested"] == "10000.00"
    assert x["review_count"] == 2
    assert x["failed"] == [] and x["passed"] is True
    relevance = call.criteria.get(title="Relevance").pk
    assert {"criterion": relevance, "value": "4.50", "consensus": False} in x["scores"]


def test_it_answers_exactly_what_the_ranking_service_computes(api_for, ranked, call, manager):
    ranking = call_ranking(call)
    data = api_for(manager).get(f"/api/v1/calls/{call.pk}/ranking/").data
    assert [row["application"] for row in data["rows"]] == [r.application.pk for r in ranking.rows]
    for api_row, row in zip(data["rows"], ranking.rows, strict=True):
        assert Decimal(api_row["total"]) == row.total
        assert api_row["rank"] == row.rank
        assert api_row["proposal"] == row.proposal
        assert api_row["failed"] == row.failed
        assert {s["criterion"]: Decimal(s["value"]) for s in api_row["scores"]} == row.scores
    assert Decimal(data["remaining"]) == ranking.remaining


def test_it_shows_the_ranking_to_observers_and_approvers(api_for, ranked, call, observer, approver):
    for staff in (observer, approver):
        assert api_for(staff).get(f"/api/v1/calls/{call.pk}/ranking/").status_code == 200


def test_it_exports_the_ranking_as_csv(api_for, ranked, call, manager):
    response = api_for(manager).get(f"/api/v1/calls/{call.pk}/ranking.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["rank", "reference", "applicant"]
    assert rows[0][-3:] == ["Relevance", "Feasibility", "recommendation"]
    assert len(rows) == 1 + 3 * 3  # per application: the ranking row and two reviews


def test_it_shows_the_reviewer_analysis_to_the_staff(api_for, ranked, call, manager):
    response = api_for(manager).get(f"/api/v1/calls/{call.pk}/reviewer-analysis/")
    assert response.status_code == 200, response.data
    profiles, rows = reviewer_normalisation(call)
    assert [r["reviewer"] for r in response.data["reviewers"]] == [p.reviewer_id for p in profiles]
    assert all(r["reviewer_name"] for r in response.data["reviewers"])
    assert [Decimal(a["normalised_mean"]) for a in response.data["applications"]] == [
        r.normalised_mean for r in rows
    ]


@pytest.fixture
def divergent(assigned):
    score(assigned["mine"], {"Relevance": 5, "Feasibility": 5})  # 100
    score(assigned["theirs"], {"Relevance": 1, "Feasibility": 1})  # 20
    application = assigned["application"]
    application.refresh_from_db()
    assert application.state == Application.State.MODERATION
    return {**assigned, "criteria": {c.title: c.pk for c in application.call.criteria.all()}}


def test_it_records_consensus_scores(api_for, divergent, manager):
    application = divergent["application"]
    criteria = divergent["criteria"]
    response = api_for(manager).post(
        f"/api/v1/applications/{application.pk}/consensus/",
        {
            "scores": [
                {
                    "criterion": criteria["Relevance"],
                    "score": "4",
                    "justification": "Need shown.",
                },
                {"criterion": criteria["Feasibility"], "score": "3"},  # the mean: no reason
            ]
        },
    )
    assert response.status_code == 200, response.data
    assert response.data["state"] == "reviewed"
    assert ConsensusScore.objects.filter(application=application).count() == 2
    ranking = api_for(manager).get(f"/api/v1/calls/{application.call_id}/ranking/").data
    [row] = ranking["rows"]
    assert {s["criterion"]: s["consensus"] for s in row["scores"]} == {
        criteria["Relevance"]: True,
        criteria["Feasibility"]: True,
    }
    assert row["total"] == "72.00"  # 12·4 + 8·3


def test_it_requires_a_justification_for_a_changed_score(api_for, divergent, manager):
    application = divergent["application"]
    criteria = divergent["criteria"]
    response = api_for(manager).post(
        f"/api/v1/applications/{application.pk}/consensus/",
        {
            "scores": [
                {"criterion": criteria["Relevance"], "score": "4"},
                {"criterion": criteria["Feasibility"], "score": "9"},
            ]
        },
    )
    assert response.status_code == 400
    assert set(response.data["errors"]) == {
        f"scores.{criteria['Relevance']}.justification",
        f"scores.{criteria['Feasibility']}.score",
        f"scores.{criteria['Feasibility']}.justification",
    }
    application.refresh_from_db()
    assert application.state == Application.State.MODERATION


def test_it_refuses_consensus_outside_moderation(api_for, assigned, manager):
    response = api_for(manager).post(
        f"/api/v1/applications/{assigned['application'].pk}/consensus/", {"scores": []}
    )
    assert response.status_code == 409
    assert response.data["code"] == "invalid_state"


def test_it_answers_403_to_the_applicant_recording_consensus(api_for, divergent, applicant_a):
    response = api_for(applicant_a).post(
        f"/api/v1/applications/{divergent['application'].pk}/consensus/", {"scores": []}
    )
    assert response.status_code == 403
    assert not ConsensusScore.objects.exists()


def test_it_lets_the_moderator_add_a_further_reviewer(api_for, divergent, manager):
    response = api_for(manager).post(
        "/api/v1/assignments/",
        {"application": divergent["application"].pk, "reviewer": divergent["outsider"].pk},
    )
    assert response.status_code == 201, response.data
    divergent["application"].refresh_from_db()
    assert divergent["application"].state == Application.State.IN_REVIEW
