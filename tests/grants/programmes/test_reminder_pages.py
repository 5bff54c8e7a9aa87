"""A programme's managers choose when its deadline reminders go; each call's own reminders:
tests/grants/calls/test_reminder_pages.py."""

import pytest
from django.urls import reverse

from grants.models import Programme
from tests import factories as f


def reminders_url(programme) -> str:
    return reverse("manage-programme-reminders", args=[programme.pk])


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


def test_another_programme_keeps_its_own_reminders(client_for, manager, programme):
    other = f.ProgrammeFactory(reminder_offsets={"review_due": [[-1, "owner"]]})
    client_for(manager).post(reminders_url(programme), {"reminder_review_due": "-5"})
    other.refresh_from_db()
    assert other.reminder_offsets == {"review_due": [[-1, "owner"]]}
