"""Consensus and further reviewers of a divergent application through the API."""

import pytest

from applications.models import Application, ConsensusScore
from tests import factories as f


@pytest.fixture
def divergent(assigned):
    f.score(assigned["mine"], {"Relevance": 5, "Feasibility": 5})  # 100
    f.score(assigned["theirs"], {"Relevance": 1, "Feasibility": 1})  # 20
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
