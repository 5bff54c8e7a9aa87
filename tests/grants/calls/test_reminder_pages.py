"""A call's reminders on the manager's pages: set on the call form, each kind inheriting the programme's value when left empty."""

import pytest
from django.urls import reverse

from grants.models import Call
from tests.grants.calls.conftest import call_form_data, new_call_data


def test_it_creates_a_call_with_its_own_reminders(client_for, manager, programme):
    response = client_for(manager).post(
        reverse("manage-call-create", args=[programme.pk]),
        new_call_data(reminder_call_closing="-5, -1", reminder_review_due=""),
    )
    assert response.status_code == 302
    call = Call.objects.get(title="Local media grants 2027")
    assert call.reminder_offsets == {"call_closing": [[-5, "owner"], [-1, "owner"]]}


def test_the_call_form_offers_the_call_kinds_with_the_programme_values_as_placeholders(
    client_for, manager, programme
):
    programme.reminder_offsets = {"review_due": [[-2, "owner"], [2, "manager"]]}
    programme.save()
    response = client_for(manager).get(reverse("manage-call-create", args=[programme.pk]))
    form = response.context["form"]
    assert [field.name for field in form.reminder_fields] == [
        "reminder_call_closing",
        "reminder_clarification_due",
        "reminder_review_due",
    ]
    html = response.content.decode()
    assert "<legend>Reminders</legend>" in html
    assert 'name="reminder_report_due"' not in html  # a programme setting
    assert 'placeholder="-2, +2 manager"' in html
    assert "Leave empty to use the programme&#x27;s: -2, +2 manager." in html
    assert "Leave empty to use the default: -7, -2, -1." in html  # call closing


def test_the_manager_changes_the_reminders_of_an_open_call(client_for, manager, call):
    assert call.state == Call.State.OPEN and call.rules_frozen
    client = client_for(manager)
    response = client.get(reverse("manage-call-edit", args=[call.pk]))
    form = response.context["form"]
    assert not any(field.field.disabled for field in form.reminder_fields)

    data = call_form_data(
        call, reminder_call_closing="-3 , -1, +1 manager", reminder_clarification_due="-2"
    )
    response = client.post(reverse("manage-call-edit", args=[call.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    call.refresh_from_db()
    assert call.reminder_offsets == {
        "call_closing": [[-3, "owner"], [-1, "owner"], [1, "manager"]],
        "clarification_due": [[-2, "owner"]],
    }
    detail = client.get(reverse("manage-call", args=[call.pk])).content.decode()
    assert "-3, -1, +1 manager" in detail
    assert "set for this call" in detail

    # Emptied: the programme's (here the default) again; the other kind stays.
    response = client.post(
        reverse("manage-call-edit", args=[call.pk]),
        call_form_data(call, reminder_call_closing=""),
    )
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.reminder_offsets == {"clarification_due": [[-2, "owner"]]}


def test_a_bad_call_reminder_shows_at_its_field_and_keeps_the_rest(client_for, manager, call):
    data = call_form_data(
        call,
        title="Renamed call",
        summary="A new summary.",
        reminder_call_closing="-7, -1",
        reminder_review_due="-3, -3",
    )
    response = client_for(manager).post(reverse("manage-call-edit", args=[call.pk]), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"reminder_review_due"}
    assert form.errors["reminder_review_due"] == ["An offset is listed twice."]
    html = response.content.decode()
    assert 'value="Renamed call"' in html
    assert "A new summary." in html
    assert 'value="-7, -1"' in html
    assert 'value="-3, -3"' in html
    call.refresh_from_db()
    assert call.title == "Local initiatives call 2027"
    assert call.reminder_offsets == {}


@pytest.mark.parametrize(
    "persona, status",
    [("approver", 403), ("observer", 403), ("other_manager", 404), ("applicant_a", 404)],
)
def test_only_the_programme_manager_changes_a_call_reminders(
    client, request, call, persona, status
):
    client.force_login(request.getfixturevalue(persona))
    data = call_form_data(call, reminder_call_closing="-1")
    response = client.post(reverse("manage-call-edit", args=[call.pk]), data)
    assert response.status_code == status
    call.refresh_from_db()
    assert call.reminder_offsets == {}


def test_the_call_page_says_where_each_reminder_setting_comes_from(client_for, manager, call):
    call.programme.reminder_offsets = {"review_due": [[-4, "owner"]]}
    call.programme.save()
    call.reminder_offsets = {"call_closing": [[-9, "owner"]]}
    call.save()
    html = client_for(manager).get(reverse("manage-call", args=[call.pk])).content.decode()
    assert "-9 <span" in html and "(set for this call)" in html
    assert "-4 <span" in html and "(set for the programme)" in html
    assert "-3, -1, 0 manager" in html and "(default)" in html  # clarification due
