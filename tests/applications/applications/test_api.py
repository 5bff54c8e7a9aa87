"""Drafting, saving, submitting and withdrawing an application through the API: versions, budget
lines, partners; the history and the filtered list."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from applications.models import Application, BudgetLine
from grants.models import Call
from tests import factories as f
from workflows.models import TransitionLog


def url(application, suffix: str = "") -> str:
    return f"/api/v1/applications/{application.pk}/{suffix}"


# Creating and saving a draft ------------------------------------------------------------


def test_it_creates_a_draft_for_the_applicants_organisation(api_for, applicant_a, org_a, call):
    response = api_for(applicant_a).post(
        "/api/v1/applications/",
        {"call": call.pk, "organisation": org_a.pk, "title": "Clean rivers"},
    )
    assert response.status_code == 201, response.data
    assert response.data["state"] == "draft"
    assert response.data["public_status"] == "Draft"
    assert response.data["version"] == 1
    assert response.data["reference"] is None
    assert set(response.data["available_transitions"]) == {"submit", "withdraw"}
    assert Application.objects.get(pk=response.data["id"]).created_by == applicant_a


def test_it_refuses_a_draft_for_someone_elses_organisation(api_for, applicant_b, org_a, call):
    response = api_for(applicant_b).post(
        "/api/v1/applications/", {"call": call.pk, "organisation": org_a.pk, "title": "Take"}
    )
    assert response.status_code == 400
    assert "organisation" in response.data["errors"]
    assert not Application.objects.exists()


def test_it_refuses_a_draft_to_a_closed_call(api_for, applicant_a, org_a, call):
    Call.objects.filter(pk=call.pk).update(state=Call.State.CLOSED)
    response = api_for(applicant_a).post(
        "/api/v1/applications/", {"call": call.pk, "organisation": org_a.pk, "title": "Late"}
    )
    assert response.status_code == 409
    assert response.data["code"] == "call_closed"


def test_it_saves_title_answers_and_budget_and_bumps_the_version(api_for, applicant_a, draft):
    question = draft.call.questions.get(label="Project summary")
    response = api_for(applicant_a).patch(
        url(draft),
        {
            "version": draft.version,
            "title": "Clean rivers, clean towns",
            "answers": [{"question": question.pk, "value": "  Forty volunteers.  "}],
            "budget_lines": [
                {"category": "staff", "description": "Coordinator", "amount_requested": "6000"},
                {
                    "category": "travel",
                    "description": "Field visits",
                    "amount_requested": "1500.50",
                    "own_contribution": "1000",
                },
            ],
        },
    )
    assert response.status_code == 200, response.data
    assert response.data["version"] == draft.version + 1
    assert response.data["title"] == "Clean rivers, clean towns"
    answers = {a["question"]: a["value"] for a in response.data["answers"]}
    assert answers[question.pk] == "  Forty volunteers.  "  # kept as typed
    assert response.data["totals"] == {
        "requested": "7500.50",
        "own": "1000.00",
        "total": "8500.50",
        "cofinancing_percent": "11.76",
    }
    assert [line["description"] for line in response.data["budget_lines"]] == [
        "Coordinator",
        "Field visits",
    ]


def test_it_refuses_a_save_based_on_a_stale_version(api_for, applicant_a, colleague_a, draft):
    version_read_by_both = draft.version
    first = api_for(colleague_a).patch(
        url(draft), {"version": version_read_by_both, "title": "Colleague's title"}
    )
    assert first.status_code == 200

    second = api_for(applicant_a).patch(
        url(draft),
        {
            "version": version_read_by_both,
            "title": "My title",
            "budget_lines": [{"category": "other", "description": "Mine", "amount_requested": "1"}],
        },
    )
    assert second.status_code == 409
    assert second.data["code"] == "stale_version"
    assert "detail" in second.data
    draft.refresh_from_db()
    assert draft.title == "Colleague's title"
    assert draft.version == version_read_by_both + 1
    assert list(draft.budget_lines.values_list("description", flat=True)) == [
        "Workshops in three municipalities"
    ]


def test_it_requires_the_version_to_save(api_for, applicant_a, draft):
    response = api_for(applicant_a).patch(url(draft), {"title": "No version"})
    assert response.status_code == 400
    assert response.data["errors"] == {"version": ["This field is required."]}
    draft.refresh_from_db()
    assert draft.title != "No version"


# Budget lines --------------------------------------------------------------------------


def test_it_adds_changes_and_removes_budget_lines(api_for, applicant_a, draft):
    api = api_for(applicant_a)
    added = api.post(
        url(draft, "budget-lines/"),
        {"category": "equipment", "description": "Laptop", "amount_requested": "900.00"},
    )
    assert added.status_code == 201, added.data
    assert added.data["own_contribution"] == "0.00"
    assert added.data["total"] == "900.00"

    changed = api.patch(
        url(draft, f"budget-lines/{added.data['id']}/"), {"own_contribution": "100.25"}
    )
    assert changed.status_code == 200
    line = BudgetLine.objects.get(pk=added.data["id"])
    assert line.own_contribution == Decimal("100.25")
    assert line.description == "Laptop"

    assert api.delete(url(draft, f"budget-lines/{line.pk}/")).status_code == 204
    assert not BudgetLine.objects.filter(pk=line.pk).exists()
    draft.refresh_from_db()
    assert draft.version == 4  # every change is a new version


def test_it_refuses_bad_amounts_on_a_budget_line(api_for, applicant_a, draft):
    api = api_for(applicant_a)
    for amount, message in [
        ("-5", "greater than or equal to 0"),
        ("12,50", "valid number"),
        ("ten", "valid number"),
        ("10.125", "2 decimal places"),
        ("NaN", "valid number"),
    ]:
        response = api.post(
            url(draft, "budget-lines/"),
            {"category": "staff", "description": "Coordinator", "amount_requested": amount},
        )
        assert response.status_code == 400, amount
        assert message in response.data["errors"]["amount_requested"][0], response.data
    assert draft.budget_lines.count() == 1


def test_it_refuses_bad_amounts_in_a_saved_budget_and_writes_nothing(api_for, applicant_a, draft):
    response = api_for(applicant_a).patch(
        url(draft),
        {
            "version": draft.version,
            "title": "Changed",
            "budget_lines": [
                {"category": "staff", "description": "Ok", "amount_requested": "10"},
                {"category": "staff", "description": "Bad", "amount_requested": "-1"},
                {"category": "nope", "description": "Bad", "amount_requested": "1.001"},
            ],
        },
    )
    assert response.status_code == 400
    assert set(response.data["errors"]) == {
        "budget_lines[1].amount_requested",
        "budget_lines[2].category",
        "budget_lines[2].amount_requested",
    }
    draft.refresh_from_db()
    assert draft.title != "Changed"
    assert draft.budget_lines.count() == 1


# Partners ------------------------------------------------------------------------------


def test_it_adds_an_existing_organisation_and_a_new_one_as_partners(
    api_for, applicant_a, draft, org_b
):
    api = api_for(applicant_a)
    existing = api.post(url(draft, "partners/"), {"organisation": org_b.pk, "role": "Trainer"})
    assert existing.status_code == 201, existing.data
    assert existing.data["organisation"]["legal_name"] == "Women's Network Tuzla"

    new = api.post(
        url(draft, "partners/"),
        {
            "new_organisation": {"legal_name": "Green Shkodër", "country": "AL", "org_type": "cso"},
            "role": "Hosts the events",
        },
    )
    assert new.status_code == 201, new.data
    assert new.data["organisation"]["country"] == "AL"
    assert draft.partners.count() == 2


def test_it_refuses_a_partner_that_is_both_or_neither(api_for, applicant_a, draft, org_b):
    api = api_for(applicant_a)
    neither = api.post(url(draft, "partners/"), {"role": "Ghost"})
    both = api.post(
        url(draft, "partners/"),
        {
            "organisation": org_b.pk,
            "new_organisation": {"legal_name": "X", "country": "RS", "org_type": "cso"},
        },
    )
    bad_country = api.post(
        url(draft, "partners/"),
        {"new_organisation": {"legal_name": "X", "country": "ZZ", "org_type": "cso"}},
    )
    assert neither.status_code == both.status_code == bad_country.status_code == 400
    assert "organisation" in neither.data["errors"]
    assert "new_organisation.country" in bad_country.data["errors"]
    assert not draft.partners.exists()


def test_it_refuses_the_applicant_as_its_own_partner(api_for, applicant_a, draft, org_a):
    response = api_for(applicant_a).post(url(draft, "partners/"), {"organisation": org_a.pk})
    assert response.status_code == 400
    assert "own partner" in response.data["errors"]["organisation"][0]


# Submitting ----------------------------------------------------------------------------


def test_it_submits_a_complete_draft_and_answers_with_the_reference(api_for, applicant_a, draft):
    response = api_for(applicant_a).post(url(draft, "submit/"))
    assert response.status_code == 200, response.data
    draft.refresh_from_db()
    assert response.data["state"] == "submitted"
    assert response.data["public_status"] == "Submitted"
    assert response.data["reference"] == draft.reference
    assert draft.reference.startswith("NAT-")
    assert response.data["submitted_at"] is not None
    assert response.data["available_transitions"] == ["withdraw"]
    assert TransitionLog.objects.for_object(draft).get().transition == "submit"


def test_it_refuses_a_second_submit(api_for, applicant_a, colleague_a, draft):
    assert api_for(applicant_a).post(url(draft, "submit/")).status_code == 200
    draft.refresh_from_db()
    reference = draft.reference

    again = api_for(colleague_a).post(url(draft, "submit/"))
    assert again.status_code == 409
    assert again.data["code"] == "already_submitted"
    assert reference in again.data["detail"]
    draft.refresh_from_db()
    assert draft.reference == reference
    assert TransitionLog.objects.for_object(draft).count() == 1


def test_it_refuses_to_submit_after_the_call_closed_and_keeps_the_draft(
    api_for, applicant_a, draft
):
    Call.objects.filter(pk=draft.call_id).update(
        closes_at=timezone.now().replace(microsecond=0) - dt.timedelta(seconds=1)
    )
    before = draft.version
    response = api_for(applicant_a).post(url(draft, "submit/"))
    assert response.status_code == 409
    assert response.data["code"] == "call_closed"
    assert "Your draft is kept" in response.data["detail"]  # and the person is told so
    draft.refresh_from_db()
    assert draft.state == Application.State.DRAFT
    assert draft.version == before
    assert draft.reference is None
    assert draft.submitted_at is None
    assert draft.budget_lines.count() == 1


def test_it_lists_every_broken_rule_at_once(api_for, applicant_a, draft):
    draft.answers.all().delete()
    draft.budget_lines.update(amount_requested=Decimal("50000"), own_contribution=0)
    draft.organisation.org_type = "public_body"
    draft.organisation.save()

    response = api_for(applicant_a).post(url(draft, "submit/"))
    assert response.status_code == 400
    assert response.data["code"] == "rules_failed"
    assert {"org_type", "amount", "cofinancing", "questions"} <= set(response.data["errors"])
    questions = response.data["errors"]["questions"][0]
    assert "Project summary" in questions and "Number of participants" in questions
    draft.refresh_from_db()
    assert draft.state == Application.State.DRAFT


def test_it_refuses_to_save_a_submitted_application(api_for, applicant_a, submitted):
    response = api_for(applicant_a).patch(
        url(submitted), {"version": submitted.version, "title": "After the fact"}
    )
    assert response.status_code == 409
    assert response.data["code"] == "not_editable"
    added = api_for(applicant_a).post(
        url(submitted, "budget-lines/"),
        {"category": "other", "description": "Late", "amount_requested": "1"},
    )
    assert added.status_code == 409


def test_it_withdraws_an_application(api_for, applicant_a, submitted):
    response = api_for(applicant_a).post(url(submitted, "withdraw/"), {"comment": "Merged"})
    assert response.status_code == 200
    assert response.data["state"] == "withdrawn"
    assert TransitionLog.objects.for_object(submitted).last().comment == "Merged"


# Screening and clarification -----------------------------------------------------------


# Eligibility checklist and history -----------------------------------------------------


def test_it_shows_the_history_of_transitions(api_for, manager, applicant_a, submitted):
    api_for(manager).post(url(submitted, "mark_ineligible/"), {"reason": "Too late."})
    history = api_for(applicant_a).get(url(submitted, "history/")).data
    assert [(h["transition"], h["from_state"], h["to_state"]) for h in history] == [
        ("submit", "draft", "submitted"),
        ("mark_ineligible", "submitted", "ineligible"),
    ]
    assert history[1]["comment"] == "Too late."
    assert history[1]["actor"] == manager.display_name


def test_it_filters_applications_by_state(api_for, manager, submitted, call, org_b):
    other = f.complete_application(call=call, organisation=org_b, created_by=f.UserFactory())
    Application.objects.filter(pk=other.pk).update(state=Application.State.ELIGIBLE)
    api = api_for(manager)
    eligible = api.get("/api/v1/applications/", {"state": "eligible"}).data["results"]
    assert [row["id"] for row in eligible] == [other.pk]
    assert api.get("/api/v1/applications/").data["count"] == 2
