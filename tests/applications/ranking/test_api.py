"""The ranking of a call, its CSV export and the reviewer analysis, through the API."""

import csv
import io
from decimal import Decimal

from applications.selectors.ranking import call_ranking, reviewer_normalisation


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
