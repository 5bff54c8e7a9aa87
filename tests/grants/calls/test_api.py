"""Calls: public reading, setup by the programme's manager, rules frozen once published."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from grants.models import Call, CallQuestion
from workflows.models import TransitionLog


def test_it_lists_published_calls_to_anonymous_visitors(api_for, call, draft_call):
    response = api_for(None).get("/api/v1/calls/")
    assert response.status_code == 200
    assert [row["id"] for row in response.data["results"]] == [call.pk]
    row = response.data["results"][0]
    assert row["state"] == "open"
    assert row["available_transitions"] == []
    assert row["currency"] == "EUR"
    assert [q["label"] for q in row["questions"]] == [
        "Project summary",
        "Number of participants",
        "Statute of the organisation",
    ]
    assert [c["title"] for c in row["criteria"]] == ["Relevance", "Feasibility"]


def test_it_hides_a_draft_call_from_anonymous_visitors_and_applicants(
    api_for, applicant_a, draft_call
):
    for who in (None, applicant_a):
        assert api_for(who).get(f"/api/v1/calls/{draft_call.pk}/").status_code == 404
        assert api_for(who).get(f"/api/v1/calls/{draft_call.pk}/questions/").status_code == 404


def test_it_shows_a_draft_call_to_its_programme_staff_only(
    api_for, manager, observer, other_manager, draft_call
):
    assert api_for(manager).get(f"/api/v1/calls/{draft_call.pk}/").status_code == 200
    assert api_for(observer).get(f"/api/v1/calls/{draft_call.pk}/").status_code == 200
    assert api_for(other_manager).get(f"/api/v1/calls/{draft_call.pk}/").status_code == 404


def test_it_asks_anonymous_visitors_to_log_in_to_change_a_call(api_for, call):
    response = api_for(None).patch(f"/api/v1/calls/{call.pk}/", {"title": "Mine"})
    assert response.status_code == 401


def test_it_lets_the_manager_create_a_draft_call(api_for, manager, programme):
    opens = timezone.now() + dt.timedelta(days=1)
    response = api_for(manager).post(
        "/api/v1/calls/",
        {
            "programme": programme.pk,
            "title": "Youth call",
            "opens_at": opens.isoformat(),
            "closes_at": (opens + dt.timedelta(days=30)).isoformat(),
            "budget": "50000",
            "min_grant": "1000",
            "max_grant": "5000",
            "min_cofinancing_percent": "5",
            "eligible_countries": ["RS", "XK"],
            "eligible_org_types": ["grassroots"],
        },
    )
    assert response.status_code == 201, response.data
    assert response.data["state"] == "draft"
    assert response.data["eligible_countries"] == ["RS", "XK"]
    assert set(response.data["available_transitions"]) == {"publish", "cancel"}
    assert Call.objects.get(pk=response.data["id"]).programme == programme


def test_it_refuses_a_call_with_bad_rules(api_for, manager, programme):
    now = timezone.now()
    body = {
        "programme": programme.pk,
        "title": "Broken",
        "opens_at": now.isoformat(),
        "closes_at": (now - dt.timedelta(days=1)).isoformat(),
        "budget": "50000",
        "min_grant": "9000",
        "max_grant": "5000",
    }
    api = api_for(manager)
    broken_rules = api.post("/api/v1/calls/", body)
    assert broken_rules.status_code == 400
    assert {"closes_at", "max_grant"} <= set(broken_rules.data["errors"])

    unknown_country = api.post(
        "/api/v1/calls/", {**body, "closes_at": None, "eligible_countries": ["RS", "QQ"]}
    )
    assert unknown_country.status_code == 400
    assert unknown_country.data["errors"]["eligible_countries[1]"] == [
        '"QQ" is not a valid choice.'
    ]
    assert not Call.objects.filter(title="Broken").exists()


def test_it_refuses_a_call_from_someone_who_does_not_manage_the_programme(
    api_for, applicant_a, other_manager, programme, call
):
    body = {
        "programme": programme.pk,
        "title": "Not yours",
        "opens_at": timezone.now().isoformat(),
        "closes_at": (timezone.now() + dt.timedelta(days=3)).isoformat(),
        "budget": "1000",
        "min_grant": "10",
        "max_grant": "100",
    }
    # The programme has a published call, so both can see it: 403, not 404.
    assert api_for(applicant_a).post("/api/v1/calls/", body).status_code == 403
    assert api_for(other_manager).post("/api/v1/calls/", body).status_code == 403
    assert not Call.objects.filter(title="Not yours").exists()


def test_it_freezes_the_rules_of_a_published_call(api_for, manager, call):
    response = api_for(manager).patch(
        f"/api/v1/calls/{call.pk}/", {"max_grant": "50000.00", "eligible_countries": ["RS"]}
    )
    assert response.status_code == 400
    assert set(response.data["errors"]) == {"max_grant", "eligible_countries"}
    call.refresh_from_db()
    assert call.max_grant == Decimal("20000.00")
    assert len(call.eligible_countries) == 6


def test_it_extends_an_open_call_but_does_not_shorten_it(api_for, manager, call):
    api = api_for(manager)
    later = call.closes_at + dt.timedelta(days=7)
    extended = api.patch(f"/api/v1/calls/{call.pk}/", {"closes_at": later.isoformat()})
    assert extended.status_code == 200, extended.data
    call.refresh_from_db()
    assert call.closes_at == later

    earlier = call.closes_at - dt.timedelta(days=20)
    shortened = api.patch(f"/api/v1/calls/{call.pk}/", {"closes_at": earlier.isoformat()})
    assert shortened.status_code == 400
    assert "closes_at" in shortened.data["errors"]
    call.refresh_from_db()
    assert call.closes_at == later


def test_it_changes_any_rule_of_a_draft_call(api_for, manager, draft_call):
    response = api_for(manager).patch(
        f"/api/v1/calls/{draft_call.pk}/", {"max_grant": "30000.00", "summary": "Bigger"}
    )
    assert response.status_code == 200, response.data
    assert response.data["max_grant"] == "30000.00"


def test_it_refuses_call_changes_from_another_programmes_manager(api_for, other_manager, call):
    response = api_for(other_manager).patch(f"/api/v1/calls/{call.pk}/", {"title": "Taken"})
    assert response.status_code == 403
    call.refresh_from_db()
    assert call.title != "Taken"


def test_it_publishes_closes_and_starts_the_review_of_a_call(api_for, manager, draft_call):
    api = api_for(manager)
    published = api.post(f"/api/v1/calls/{draft_call.pk}/publish/", {"comment": "Go"})
    assert published.status_code == 200, published.data
    assert published.data["state"] == "open"
    assert published.data["published_at"] is not None
    assert set(published.data["available_transitions"]) == {"close", "cancel"}

    assert api.post(f"/api/v1/calls/{draft_call.pk}/close/").data["state"] == "closed"
    reviewing = api.post(f"/api/v1/calls/{draft_call.pk}/start_review/")
    assert reviewing.data["state"] == "in_review"
    log = TransitionLog.objects.for_object(draft_call)
    assert [e.transition for e in log] == ["publish", "close", "start_review"]
    assert log[0].comment == "Go"


def test_it_refuses_a_transition_in_the_wrong_state(api_for, manager, call):
    response = api_for(manager).post(f"/api/v1/calls/{call.pk}/start_review/")
    assert response.status_code == 409
    assert response.data["code"] == "invalid_state"
    call.refresh_from_db()
    assert call.state == Call.State.OPEN


def test_it_refuses_call_transitions_by_an_applicant(api_for, applicant_a, call):
    response = api_for(applicant_a).post(f"/api/v1/calls/{call.pk}/close/")
    assert response.status_code == 403
    call.refresh_from_db()
    assert call.state == Call.State.OPEN


def test_it_shows_call_transitions_only_to_its_manager(api_for, manager, applicant_a, call):
    assert set(api_for(manager).get(f"/api/v1/calls/{call.pk}/").data["available_transitions"]) == {
        "close",
        "cancel",
    }
    assert api_for(applicant_a).get(f"/api/v1/calls/{call.pk}/").data["available_transitions"] == []


# Questions and criteria ----------------------------------------------------------------


def test_it_edits_the_questions_of_a_draft_call(api_for, manager, draft_call):
    api = api_for(manager)
    base = f"/api/v1/calls/{draft_call.pk}/questions/"
    created = api.post(
        base, {"label": "Main target group", "kind": "choice", "choices": ["Youth", "Women"]}
    )
    assert created.status_code == 201, created.data
    changed = api.patch(f"{base}{created.data['id']}/", {"required": False})
    assert changed.status_code == 200
    assert changed.data["required"] is False
    assert api.get(f"/api/v1/calls/{draft_call.pk}/").data["questions"][0]["choices"] == [
        "Youth",
        "Women",
    ]
    assert api.delete(f"{base}{created.data['id']}/").status_code == 204
    assert not draft_call.questions.exists()


def test_it_refuses_a_choice_question_without_options(api_for, manager, draft_call):
    response = api_for(manager).post(
        f"/api/v1/calls/{draft_call.pk}/questions/", {"label": "Pick", "kind": "choice"}
    )
    assert response.status_code == 400
    assert "choices" in response.data["errors"]


def test_it_freezes_the_questions_once_the_call_is_published(api_for, manager, call):
    api = api_for(manager)
    question = call.questions.first()
    added = api.post(f"/api/v1/calls/{call.pk}/questions/", {"label": "One more"})
    changed = api.patch(f"/api/v1/calls/{call.pk}/questions/{question.pk}/", {"label": "New"})
    removed = api.delete(f"/api/v1/calls/{call.pk}/questions/{question.pk}/")
    for response in (added, changed, removed):
        assert response.status_code == 409
        assert response.data["code"] == "rules_frozen"
    assert call.questions.count() == 3
    assert CallQuestion.objects.get(pk=question.pk).label == "Project summary"


def test_it_edits_criteria_until_the_review_starts(api_for, manager, call):
    api = api_for(manager)
    base = f"/api/v1/calls/{call.pk}/criteria/"
    created = api.post(base, {"title": "Sustainability", "weight": "1.5", "max_score": "5"})
    assert created.status_code == 201, created.data
    assert created.data["order"] == 3

    Call.objects.filter(pk=call.pk).update(state=Call.State.IN_REVIEW)
    refused = api.patch(f"{base}{created.data['id']}/", {"weight": "9"})
    assert refused.status_code == 409
    assert refused.data["code"] == "criteria_frozen"


def test_it_refuses_a_threshold_above_the_maximum_score(api_for, manager, call):
    response = api_for(manager).post(
        f"/api/v1/calls/{call.pk}/criteria/",
        {"title": "Impact", "max_score": "5", "pass_threshold": "6"},
    )
    assert response.status_code == 400
    assert "pass_threshold" in response.data["errors"]


def test_it_refuses_question_changes_by_others(api_for, applicant_a, other_manager, call):
    for who in (applicant_a, other_manager):
        response = api_for(who).post(f"/api/v1/calls/{call.pk}/criteria/", {"title": "Mine"})
        assert response.status_code == 403
    assert (
        api_for(None).post(f"/api/v1/calls/{call.pk}/criteria/", {"title": "x"}).status_code == 401
    )
    assert call.criteria.count() == 2
