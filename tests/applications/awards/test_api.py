"""Award lists through the API: proposal, maker–checker approval, return, budget and state."""

from decimal import Decimal

from applications.models import Application, AwardList
from grants.models import Call, Grant, ProgrammeRole
from grants.policies import forget_roles


def test_it_proposes_the_list_from_the_funding_line(api_for, ranked_in_review, call, manager):
    response = api_for(manager).post(
        "/api/v1/award-lists/",
        {
            "call": call.pk,
            "adjustments": [
                {
                    "application": ranked_in_review["Z"].pk,
                    "amount": "8000",
                    "reason": "No equipment.",
                }
            ],
            "comment": "As ranked.",
        },
    )
    assert response.status_code == 201, response.data
    data = response.data
    assert data["state"] == "proposed"
    assert data["proposed_by"] == manager.pk
    assert data["available_transitions"] == []  # the proposer may not decide
    outcomes = {i["application"]: (i["outcome"], i["amount"]) for i in data["items"]}
    assert outcomes == {
        ranked_in_review["X"].pk: ("award", "10000.00"),
        ranked_in_review["Z"].pk: ("award", "8000.00"),
        ranked_in_review["Y"].pk: ("reserve", "10000.00"),
    }
    assert data["award_total"] == "18000.00"
    assert Application.objects.get(pk=ranked_in_review["Y"].pk).state == "reserve"


def test_it_refuses_raising_an_amount(api_for, ranked_in_review, call, manager):
    response = api_for(manager).post(
        "/api/v1/award-lists/",
        {
            "call": call.pk,
            "adjustments": [{"application": ranked_in_review["X"].pk, "amount": "12000"}],
        },
    )
    assert response.status_code == 400
    assert f"adjustments.{ranked_in_review['X'].pk}" in response.data["errors"]
    assert not AwardList.objects.exists()


def test_it_refuses_a_proposal_while_the_call_is_not_in_review(api_for, ranked, call, manager):
    response = api_for(manager).post("/api/v1/award-lists/", {"call": call.pk})
    assert response.status_code == 409
    assert response.data["code"] == "invalid_state"


def test_it_refuses_a_proposal_by_an_observer(api_for, ranked_in_review, call, observer):
    response = api_for(observer).post("/api/v1/award-lists/", {"call": call.pk})
    assert response.status_code == 403
    assert not AwardList.objects.exists()


def test_it_refuses_a_proposal_for_another_programmes_call(
    api_for, ranked_in_review, call, other_manager
):
    response = api_for(other_manager).post("/api/v1/award-lists/", {"call": call.pk})
    assert response.status_code == 400
    assert "call" in response.data["errors"]
    assert not AwardList.objects.exists()


def test_it_answers_403_when_the_proposer_approves(api_for, proposed, call, manager):
    # Even holding the approver role as well: never the same person twice.
    ProgrammeRole.objects.create(user=manager, programme=call.programme, role="approver")
    forget_roles(manager)
    response = api_for(manager).post(f"/api/v1/award-lists/{proposed.pk}/approve/")
    assert response.status_code == 403
    assert response.data["code"] == "permission_denied"
    assert AwardList.objects.get(pk=proposed.pk).state == "proposed"
    assert not Grant.objects.exists()


def test_it_awards_when_another_approver_approves(
    api_for, proposed, ranked_in_review, call, approver
):
    listed = api_for(approver).get(f"/api/v1/award-lists/{proposed.pk}/")
    assert listed.data["available_transitions"] == ["approve", "return"]
    response = api_for(approver).post(
        f"/api/v1/award-lists/{proposed.pk}/approve/", {"comment": "Agreed."}
    )
    assert response.status_code == 200, response.data
    assert response.data["state"] == "approved"
    assert response.data["decided_by"] == approver.pk
    assert response.data["available_transitions"] == []
    states = {k: Application.objects.get(pk=a.pk).state for k, a in ranked_in_review.items()}
    assert states == {"X": "awarded", "Y": "reserve", "Z": "awarded"}
    assert Grant.objects.filter(application__call=call).count() == 2
    assert Call.objects.get(pk=call.pk).state == "decided"


def test_it_refuses_approving_twice(api_for, proposed, approver):
    api_for(approver).post(f"/api/v1/award-lists/{proposed.pk}/approve/")
    response = api_for(approver).post(f"/api/v1/award-lists/{proposed.pk}/approve/")
    assert response.status_code == 409
    assert response.data["code"] == "invalid_state"
    assert Grant.objects.count() == 2


def test_it_refuses_an_approval_beyond_the_budget(api_for, proposed, call, approver):
    Call.objects.filter(pk=call.pk).update(budget=Decimal("15000"))
    response = api_for(approver).post(f"/api/v1/award-lists/{proposed.pk}/approve/")
    assert response.status_code == 409
    assert response.data["code"] == "budget_exceeded"
    assert AwardList.objects.get(pk=proposed.pk).state == "proposed"
    assert not Grant.objects.exists()


def test_it_returns_the_list_with_a_comment(api_for, proposed, ranked_in_review, approver):
    response = api_for(approver).post(f"/api/v1/award-lists/{proposed.pk}/return/")
    assert response.status_code == 400
    assert "comment" in response.data["errors"]
    response = api_for(approver).post(
        f"/api/v1/award-lists/{proposed.pk}/return/", {"comment": "Check Z's budget."}
    )
    assert response.status_code == 200, response.data
    assert response.data["state"] == "returned"
    assert {Application.objects.get(pk=a.pk).state for a in ranked_in_review.values()} == {
        "reviewed"
    }


def test_it_answers_403_when_the_proposer_returns(api_for, proposed, manager):
    response = api_for(manager).post(
        f"/api/v1/award-lists/{proposed.pk}/return/", {"comment": "Oops."}
    )
    assert response.status_code == 403


def test_it_lists_award_lists_to_the_programme_staff(
    api_for, proposed, call, manager, approver, observer
):
    for staff in (manager, approver, observer):
        response = api_for(staff).get("/api/v1/award-lists/", {"call": call.pk})
        assert [row["id"] for row in response.data["results"]] == [proposed.pk]
    assert api_for(manager).get("/api/v1/award-lists/", {"state": "approved"}).data["count"] == 0
