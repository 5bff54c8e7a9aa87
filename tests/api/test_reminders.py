"""Reminder offsets on the API: read with the programme and the call, changed by the
programme's managers, validated by deadline kind."""

import datetime as dt

import pytest
from django.utils import timezone

from grants.models import Call, Programme


@pytest.fixture
def draft_call(programme):
    from tests import factories as f

    return f.CallFactory(programme=programme, state=Call.State.DRAFT, title="Next year's call")


# Calls -------------------------------------------------------------------------------------


def test_the_manager_changes_the_reminders_of_an_open_call(api_for, manager, call):
    response = api_for(manager).patch(
        f"/api/v1/calls/{call.pk}/",
        {
            "reminder_offsets": {
                "call_closing": [[-1, "owner"], [-5, "owner"]],
                "review_due": "+2 manager, -2",
            }
        },
    )
    assert response.status_code == 200, response.data
    expected = {
        "call_closing": [[-5, "owner"], [-1, "owner"]],
        "review_due": [[-2, "owner"], [2, "manager"]],
    }
    assert response.data["reminder_offsets"] == expected
    call.refresh_from_db()
    assert call.reminder_offsets == expected
    assert api_for(None).get(f"/api/v1/calls/{call.pk}/").data["reminder_offsets"] == expected


def test_an_empty_kind_or_object_goes_back_to_the_programme(api_for, manager, call):
    call.reminder_offsets = {"call_closing": [[-5, "owner"]], "review_due": [[-2, "owner"]]}
    call.save()
    api = api_for(manager)
    response = api.patch(
        f"/api/v1/calls/{call.pk}/",
        {"reminder_offsets": {"call_closing": "", "review_due": [[-2, "owner"]]}},
    )
    assert response.status_code == 200, response.data
    assert response.data["reminder_offsets"] == {"review_due": [[-2, "owner"]]}
    assert api.patch(f"/api/v1/calls/{call.pk}/", {"reminder_offsets": {}}).status_code == 200
    call.refresh_from_db()
    assert call.reminder_offsets == {}


@pytest.mark.parametrize(
    "offsets, kind, message",
    [
        ({"call_closing": "-7, -45"}, "call_closing", "at most 30 days"),
        ({"review_due": [[1, "boss"]]}, "review_due", "is not an offset"),
        ({"review_due": [[1]]}, "review_due", "[days, audience]"),
        ({"report_due": "-7"}, "report_due", "Unknown deadline kind"),  # a programme kind
    ],
)
def test_it_refuses_call_reminders_it_cannot_read(api_for, manager, call, offsets, kind, message):
    response = api_for(manager).patch(
        f"/api/v1/calls/{call.pk}/",
        {"reminder_offsets": offsets, "title": "Renamed"},
    )
    assert response.status_code == 400
    errors = response.data["errors"]
    assert list(errors) == [f"reminder_offsets.{kind}"]
    assert message in errors[f"reminder_offsets.{kind}"][0]
    call.refresh_from_db()
    assert call.reminder_offsets == {} and call.title != "Renamed"


def test_it_refuses_reminders_that_are_not_an_object(api_for, manager, call):
    response = api_for(manager).patch(
        f"/api/v1/calls/{call.pk}/", {"reminder_offsets": [["call_closing", "-1"]]}
    )
    assert response.status_code == 400
    assert "keyed by deadline kind" in response.data["errors"]["reminder_offsets"][0]


def test_it_creates_a_call_with_reminders(api_for, manager, programme):
    opens = timezone.now() + dt.timedelta(days=1)
    response = api_for(manager).post(
        "/api/v1/calls/",
        {
            "programme": programme.pk,
            "title": "Media call",
            "opens_at": opens.isoformat(),
            "closes_at": (opens + dt.timedelta(days=30)).isoformat(),
            "budget": "50000",
            "min_grant": "1000",
            "max_grant": "5000",
            "reminder_offsets": {"clarification_due": "-2, 0 manager"},
        },
    )
    assert response.status_code == 201, response.data
    assert Call.objects.get(title="Media call").reminder_offsets == {
        "clarification_due": [[-2, "owner"], [0, "manager"]]
    }


@pytest.mark.parametrize("persona, status", [("other_manager", 403), ("approver", 403)])
def test_only_the_programme_manager_changes_call_reminders(api_for, request, call, persona, status):
    response = api_for(request.getfixturevalue(persona)).patch(
        f"/api/v1/calls/{call.pk}/", {"reminder_offsets": {"call_closing": "-1"}}
    )
    assert response.status_code == status
    call.refresh_from_db()
    assert call.reminder_offsets == {}


def test_an_outsider_cannot_find_a_draft_call_to_change(api_for, other_manager, draft_call):
    response = api_for(other_manager).patch(
        f"/api/v1/calls/{draft_call.pk}/", {"reminder_offsets": {"call_closing": "-1"}}
    )
    assert response.status_code == 404


# Programmes --------------------------------------------------------------------------------


def test_the_manager_reads_and_changes_the_programme_reminders(api_for, manager, programme):
    api = api_for(manager)
    assert api.get(f"/api/v1/programmes/{programme.pk}/").data["reminder_offsets"] == {}
    response = api.patch(
        f"/api/v1/programmes/{programme.pk}/",
        {"reminder_offsets": {"report_due": "-10, +5 manager", "tranche_due": [[1, "owner"]]}},
    )
    assert response.status_code == 200, response.data
    expected = {
        "report_due": [[-10, "owner"], [5, "manager"]],
        "tranche_due": [[1, "owner"]],
    }
    assert response.data["reminder_offsets"] == expected
    assert response.data["title"] == programme.title
    programme.refresh_from_db()
    assert programme.reminder_offsets == expected


def test_it_refuses_programme_reminders_it_cannot_read(api_for, manager, programme):
    response = api_for(manager).patch(
        f"/api/v1/programmes/{programme.pk}/",
        {"reminder_offsets": {"report_due": "-7, -7", "payday": "-1"}},
    )
    assert response.status_code == 400
    errors = response.data["errors"]
    assert errors["reminder_offsets.report_due"] == ["An offset is listed twice."]
    assert "Unknown deadline kind" in errors["reminder_offsets.payday"][0]
    programme.refresh_from_db()
    assert programme.reminder_offsets == {}


def test_it_changes_nothing_else_of_an_existing_programme(api_for, manager, programme):
    """Only the reminders are writable after creation; other fields in the body are ignored."""
    response = api_for(manager).patch(
        f"/api/v1/programmes/{programme.pk}/",
        {"title": "Renamed", "reminder_offsets": {"review_due": "-1"}},
    )
    assert response.status_code == 200, response.data
    programme.refresh_from_db()
    assert programme.title == "Western Balkans Civic Fund"
    assert programme.reminder_offsets == {"review_due": [[-1, "owner"]]}


def test_only_the_programme_manager_changes_its_reminders(
    api_for, approver, observer, other_manager, applicant_a, programme, call
):
    body = {"reminder_offsets": {"review_due": "-1"}}
    url = f"/api/v1/programmes/{programme.pk}/"
    # Staff and, the programme having a published call, anyone logged in can see it: 403.
    for who in (approver, observer, other_manager, applicant_a):
        assert api_for(who).patch(url, body).status_code == 403
    assert api_for(None).patch(url, body).status_code == 404
    programme.refresh_from_db()
    assert programme.reminder_offsets == {}


def test_an_outsider_cannot_find_a_programme_without_a_published_call(
    api_for, other_manager, programme
):
    response = api_for(other_manager).patch(
        f"/api/v1/programmes/{programme.pk}/", {"reminder_offsets": {"review_due": "-1"}}
    )
    assert response.status_code == 404


def test_it_starts_a_programme_with_reminders(api_for, applicant_a, org_a):
    body = {
        "title": "Local democracy fund",
        "owner": org_a.pk,
        "budget": "1000",
        "start_date": "2027-01-01",
        "end_date": "2027-12-31",
    }
    api = api_for(applicant_a)
    refused = api.post(
        "/api/v1/programmes/", {**body, "reminder_offsets": {"report_due": "tomorrow"}}
    )
    assert refused.status_code == 400
    assert "reminder_offsets.report_due" in refused.data["errors"]
    response = api.post("/api/v1/programmes/", {**body, "reminder_offsets": {"report_due": "-3"}})
    assert response.status_code == 201, response.data
    assert Programme.objects.get(pk=response.data["id"]).reminder_offsets == {
        "report_due": [[-3, "owner"]]
    }
