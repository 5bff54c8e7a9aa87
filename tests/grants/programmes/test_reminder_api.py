"""Reminder offsets of a programme on the API: read with the programme, changed by its managers, validated by deadline kind."""

from grants.models import Programme


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
