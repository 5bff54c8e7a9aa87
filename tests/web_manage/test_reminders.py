"""A programme's managers choose when deadline reminders go: for the programme, and for each
call (even a published one: reminders are not among its frozen rules)."""

import pytest
from django.urls import reverse

from grants.models import Call, Programme
from tests import factories as f
from tests.web_manage.conftest import call_form_data
from tests.web_manage.test_call_setup import new_call_data


def reminders_url(programme) -> str:
    return reverse("manage-programme-reminders", args=[programme.pk])


# Programmes ------------------------------------------------------------------------------


def test_it_starts_a_programme_with_its_own_reminders(client_for, applicant_a, org_a):
    response = client_for(applicant_a).post(
        reverse("manage-programme-create"),
        {
            "title": "Youth fund",
            "owner": org_a.pk,
            "currency": "EUR",
            "budget": "1000",
            "start_date": "2027-01-01",
            "end_date": "2027-12-31",
            "timezone": "Europe/Belgrade",
            "reminder_report_due": "+7 manager, -10, -2",
            "reminder_call_closing": "",
        },
    )
    assert response.status_code == 302
    programme = Programme.objects.get(title="Youth fund")
    assert programme.reminder_offsets == {
        "report_due": [[-10, "owner"], [-2, "owner"], [7, "manager"]]
    }


def test_it_groups_the_reminders_and_shows_what_an_empty_field_inherits(
    client_for, applicant_a, org_a
):
    response = client_for(applicant_a).get(reverse("manage-programme-create"))
    html = response.content.decode()
    assert "<legend>Reminders</legend>" in html
    assert html.index('name="title"') < html.index("<legend>Reminders</legend>")
    assert html.index("<legend>Reminders</legend>") < html.index('name="reminder_call_closing"')
    for label in ("Call closing (applicants with a draft)", "Report due (grantee)"):
        assert label in html
    assert 'placeholder="-14, -7, -1, +1, +7 manager"' in html
    assert "Leave empty to use the default: -14, -7, -1, +1, +7 manager." in html


def test_it_keeps_everything_typed_when_a_reminder_cannot_be_read(client_for, applicant_a, org_a):
    response = client_for(applicant_a).post(
        reverse("manage-programme-create"),
        {
            "title": "Youth fund",
            "owner": org_a.pk,
            "currency": "EUR",
            "budget": "1000",
            "start_date": "2027-01-01",
            "end_date": "2027-12-31",
            "timezone": "Europe/Belgrade",
            "reminder_review_due": "-3, +1 manager",
            "reminder_report_due": "-7, next week",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"reminder_report_due"}
    assert "“next week” is not an offset" in form.errors["reminder_report_due"][0]
    html = response.content.decode()
    assert 'id="id_reminder_report_due_error"' in html  # tied to its field
    assert 'value="Youth fund"' in html
    assert 'value="-3, +1 manager"' in html
    assert 'value="-7, next week"' in html
    assert not Programme.objects.filter(title="Youth fund").exists()


def test_the_manager_changes_the_programme_reminders(client_for, manager, programme):
    client = client_for(manager)
    page = client.get(reverse("manage-programme", args=[programme.pk])).content.decode()
    assert reminders_url(programme) in page
    assert "-14, -7, -1, +1, +7 manager" in page  # the default report reminders

    response = client.post(
        reminders_url(programme),
        {"reminder_call_closing": "-10, -3,-1", "reminder_tranche_due": "+2, 0"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("manage-programme", args=[programme.pk])
    programme.refresh_from_db()
    assert programme.reminder_offsets == {
        "call_closing": [[-10, "owner"], [-3, "owner"], [-1, "owner"]],
        "tranche_due": [[0, "owner"], [2, "owner"]],
    }

    form = client.get(reminders_url(programme)).context["form"]
    assert form["reminder_call_closing"].value() == "-10, -3, -1"
    assert form["reminder_review_due"].value() in (None, "")

    # An emptied field goes back to the default.
    client.post(reminders_url(programme), {"reminder_call_closing": "-10, -3, -1"})
    programme.refresh_from_db()
    assert programme.reminder_offsets == {
        "call_closing": [[-10, "owner"], [-3, "owner"], [-1, "owner"]]
    }


def test_it_refuses_a_programme_reminder_it_cannot_read(client_for, manager, programme):
    programme.reminder_offsets = {"review_due": [[-2, "owner"]]}
    programme.save()
    response = client_for(manager).post(
        reminders_url(programme), {"reminder_review_due": "-1", "reminder_report_due": "-40"}
    )
    assert response.status_code == 200
    assert "at most 30 days" in response.context["form"].errors["reminder_report_due"][0]
    assert 'value="-40"' in response.content.decode()
    programme.refresh_from_db()
    assert programme.reminder_offsets == {"review_due": [[-2, "owner"]]}


@pytest.mark.parametrize(
    "persona, status",
    [("approver", 403), ("observer", 403), ("other_manager", 404), ("applicant_a", 404)],
)
def test_only_the_programme_manager_changes_its_reminders(
    client, request, programme, call, persona, status
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reminders_url(programme)).status_code == status
    assert (
        client.post(reminders_url(programme), {"reminder_review_due": "-1"}).status_code == status
    )
    programme.refresh_from_db()
    assert programme.reminder_offsets == {}


def test_it_sends_anonymous_visitors_to_log_in(client, programme):
    response = client.post(reminders_url(programme), {"reminder_review_due": "-1"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_readers_see_the_reminders_but_not_the_link_to_change_them(client_for, observer, programme):
    page = client_for(observer).get(reverse("manage-programme", args=[programme.pk]))
    html = page.content.decode()
    assert "Report due (grantee)" in html
    assert reminders_url(programme) not in html


# Calls -------------------------------------------------------------------------------------


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


def test_another_programme_keeps_its_own_reminders(client_for, manager, programme):
    other = f.ProgrammeFactory(reminder_offsets={"review_due": [[-1, "owner"]]})
    client_for(manager).post(reminders_url(programme), {"reminder_review_due": "-5"})
    other.refresh_from_db()
    assert other.reminder_offsets == {"review_due": [[-1, "owner"]]}
