"""The manager's home: their programmes with their calls and counts; starting a programme."""

import datetime as dt

from django.urls import reverse

from applications.services.screening import application_screen
from grants.models import Programme, ProgrammeRole
from tests import factories as f


def test_it_lists_the_programmes_the_user_staffs_with_calls_and_counts(
    client_for, manager, programme, call, other_programme
):
    f.CallFactory(programme=other_programme, title="Someone else's call")
    eligible = f.submitted_application(call=call)
    f.submitted_application(call=call)
    application_screen(application=eligible, actor=manager, eligible=True)
    response = client_for(manager).get(reverse("manage-home"))
    html = response.content.decode()
    assert "Western Balkans Civic Fund" in html
    assert "Local initiatives call 2027" in html
    assert "Another network&#x27;s fund" not in html and "Someone else" not in html
    assert "2 submitted" in html
    assert "Submitted: 1" in html and "Eligible: 1" in html
    assert "Programme manager" in html
    # Deadlines in the call's time zone.
    assert "(Europe/Belgrade)" in html


def test_it_counts_applications_in_one_query_whatever_the_number_of_calls(
    client_for, manager, programme, django_assert_num_queries
):
    client = client_for(manager)
    call = f.CallFactory(programme=programme)
    f.submitted_application(call=call)
    client.get(reverse("manage-home"))
    # session, user, 3 roles, programmes, their calls, the counts, the unread count.
    with django_assert_num_queries(9):
        client.get(reverse("manage-home"))
    for _ in range(4):
        f.submitted_application(call=f.CallFactory(programme=programme))
    with django_assert_num_queries(9):
        client.get(reverse("manage-home"))


def test_it_shows_the_observer_their_programme_without_the_new_call_button(
    client_for, observer, programme, call
):
    html = client_for(observer).get(reverse("manage-home")).content.decode()
    assert "Western Balkans Civic Fund" in html
    assert "Donor observer" in html
    assert reverse("manage-call-create", args=[programme.pk]) not in html


def test_it_shows_an_empty_home_to_someone_without_programmes(client_for, applicant_b):
    response = client_for(applicant_b).get(reverse("manage-home"))
    assert response.status_code == 200
    assert response.context["programmes"] == []


def test_it_lets_an_organisation_admin_start_a_programme(client_for, applicant_a, org_a):
    donor = f.DonorFactory()
    client = client_for(applicant_a)
    assert "New programme" in client.get(reverse("manage-home")).content.decode()
    response = client.post(
        reverse("manage-programme-create"),
        {
            "title": "Youth fund",
            "owner": org_a.pk,
            "donors": [donor.pk],
            "currency": "RSD",
            "budget": "2000000",
            "start_date": "2027-01-01",
            "end_date": "2028-12-31",
            "timezone": "Europe/Belgrade",
        },
    )
    programme = Programme.objects.get(title="Youth fund")
    assert response["Location"] == reverse("manage-programme", args=[programme.pk])
    assert programme.owner == org_a and list(programme.donors.all()) == [donor]
    assert ProgrammeRole.objects.filter(
        programme=programme, user=applicant_a, role="manager"
    ).exists()
    assert programme.start_date == dt.date(2027, 1, 1)


def test_it_refuses_a_programme_owned_by_someone_elses_organisation(client_for, applicant_a, org_b):
    response = client_for(applicant_a).post(
        reverse("manage-programme-create"),
        {
            "title": "Hijack",
            "owner": org_b.pk,
            "currency": "EUR",
            "budget": "1",
            "start_date": "2027-01-01",
            "end_date": "2027-12-31",
            "timezone": "Europe/Belgrade",
        },
    )
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert not Programme.objects.filter(title="Hijack").exists()


def test_it_refuses_a_programme_that_ends_before_it_starts(client_for, applicant_a, org_a):
    response = client_for(applicant_a).post(
        reverse("manage-programme-create"),
        {
            "title": "Backwards",
            "owner": org_a.pk,
            "currency": "EUR",
            "budget": "1",
            "start_date": "2027-12-31",
            "end_date": "2027-01-01",
            "timezone": "Europe/Belgrade",
        },
    )
    assert "cannot end before it starts" in response.content.decode()


def test_it_forbids_starting_a_programme_without_being_an_organisation_admin(
    client_for, colleague_a, manager
):
    for user in (colleague_a, manager):
        client = client_for(user)
        assert client.get(reverse("manage-programme-create")).status_code == 403
        assert "New programme" not in client.get(reverse("manage-home")).content.decode()


def test_it_sends_anonymous_visitors_home_to_log_in(client):
    assert client.get(reverse("manage-home")).status_code == 302
