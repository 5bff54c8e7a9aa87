"""Reminder offsets of a call on the API: read with the call, changed by the programme's managers,
validated by deadline kind."""

import datetime as dt

import pytest
from django.utils import timezone

from grants.models import Call


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
