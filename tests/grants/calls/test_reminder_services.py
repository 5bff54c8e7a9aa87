"""The reminder settings of a call at the service level."""

from grants.services.calls import FROZEN_CALL_FIELDS, call_update


def test_the_reminders_of_a_published_call_are_not_frozen(manager, call):
    assert "reminder_offsets" not in FROZEN_CALL_FIELDS
    call_update(call=call, actor=manager, reminder_offsets={"call_closing": [[-3, "owner"]]})
    call.refresh_from_db()
    assert call.reminder_offsets == {"call_closing": [[-3, "owner"]]}
