"""The reminder settings at the model and service level: what the web pages and the API rely
on (and what the admin uses directly)."""

import pytest
from django.core.exceptions import ValidationError

from grants.services.programmes import programme_update
from workflows.exceptions import NotPermitted, RuleViolation


def test_the_model_refuses_bad_offsets_with_a_message_by_kind(programme, call):
    programme.reminder_offsets = {"report_due": "-99"}
    with pytest.raises(ValidationError) as raised:
        programme.full_clean()
    assert raised.value.message_dict["reminder_offsets"] == [
        "report_due: “-99” is too far: reminders go at most 30 days from the deadline."
    ]
    call.reminder_offsets = {"report_due": [[-1, "owner"]]}  # a programme kind only
    with pytest.raises(ValidationError) as raised:
        call.full_clean(exclude=["state"])
    assert raised.value.message_dict["reminder_offsets"][0].startswith("report_due: Unknown")


def test_programme_update_stores_the_reminders(manager, programme):
    programme_update(
        programme=programme, actor=manager, reminder_offsets={"review_due": [[-2, "owner"]]}
    )
    programme.refresh_from_db()
    assert programme.reminder_offsets == {"review_due": [[-2, "owner"]]}


def test_programme_update_refuses_bad_reminders_as_a_rule_violation(manager, programme):
    with pytest.raises(RuleViolation) as raised:
        programme_update(programme=programme, actor=manager, reminder_offsets={"review_due": "-31"})
    assert "reminder_offsets" in raised.value.errors
    programme.refresh_from_db()
    assert programme.reminder_offsets == {}


def test_programme_update_changes_only_the_reminders(manager, programme):
    with pytest.raises(RuleViolation) as raised:
        programme_update(programme=programme, actor=manager, currency="USD")
    assert set(raised.value.errors) == {"currency"}
    programme.refresh_from_db()
    assert programme.currency == "EUR"


@pytest.mark.parametrize("persona", ["approver", "observer", "other_manager"])
def test_programme_update_is_for_the_programme_managers(request, programme, persona):
    with pytest.raises(NotPermitted):
        programme_update(
            programme=programme,
            actor=request.getfixturevalue(persona),
            reminder_offsets={"review_due": [[-2, "owner"]]},
        )
