"""Public call pages and starting an application."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from grants.models import Call
from tests import factories as f


def test_it_lists_open_calls_to_anonymous_visitors(client, call):
    response = client.get(reverse("call-list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert call.title in body
    assert "(Europe/Belgrade)" in body
    assert "5,000.00 EUR" in body


def test_it_keeps_draft_calls_off_the_list(client, programme):
    draft_call = f.CallFactory(programme=programme, state=Call.State.DRAFT, title="Secret call")
    assert "Secret call" not in client.get(reverse("call-list")).content.decode()
    assert client.get(reverse("call-detail", args=[draft_call.pk])).status_code == 404


def test_it_shows_a_draft_call_to_its_programme_staff(client_for, manager, programme):
    draft_call = f.CallFactory(programme=programme, state=Call.State.DRAFT, title="Secret call")
    response = client_for(manager).get(reverse("call-detail", args=[draft_call.pk]))
    assert response.status_code == 200
    assert "only the programme team sees this call" in response.content.decode()


def test_it_hides_a_draft_call_from_another_programmes_manager(
    client_for, other_manager, programme
):
    draft_call = f.CallFactory(programme=programme, state=Call.State.DRAFT)
    response = client_for(other_manager).get(reverse("call-detail", args=[draft_call.pk]))
    assert response.status_code == 404


def test_it_lists_recently_closed_and_upcoming_calls_apart(client, programme):
    now = timezone.now()
    f.CallFactory(
        programme=programme,
        title="Closed last week",
        state=Call.State.CLOSED,
        opens_at=now - dt.timedelta(days=40),
        closes_at=now - dt.timedelta(days=7),
    )
    f.CallFactory(
        programme=programme,
        title="Opens next month",
        opens_at=now + dt.timedelta(days=30),
        closes_at=now + dt.timedelta(days=60),
    )
    body = client.get(reverse("call-list")).content.decode()
    assert body.index("Opening soon") < body.index("Opens next month")
    assert body.index("Recently closed") < body.index("Closed last week")


def test_it_lists_calls_in_a_constant_number_of_queries(
    client, programme, django_assert_num_queries
):
    f.CallFactory(programme=programme)
    with django_assert_num_queries(1):
        client.get(reverse("call-list"))
    f.CallFactory.create_batch(5, programme=programme)
    f.CallFactory.create_batch(3)
    with django_assert_num_queries(1):
        response = client.get(reverse("call-list"))
    assert len(response.context["open_calls"]) == 9


def test_it_shows_everything_an_applicant_needs_to_decide(client, call):
    call.description = "Who can apply and why."
    call.save()
    body = client.get(reverse("call-detail", args=[call.pk])).content.decode()
    for expected in [
        "Who can apply and why.",
        "(Europe/Belgrade)",
        "100,000.00 EUR",
        "5,000.00 EUR",
        "20,000.00 EUR",
        "at least 10 % of the total",
        "Serbia",
        "Kosovo",
        "Civil society organisation",
        "Project summary",
        "up to 500 characters",
        "Number of participants",
        "Statute of the organisation",
        "Relevance",
        "Feasibility",
    ]:
        assert expected in body, expected


def test_it_names_the_time_zone_of_the_deadline(client, programme):
    call = f.CallFactory(programme=programme, timezone="Europe/Tirane")
    body = client.get(reverse("call-detail", args=[call.pk])).content.decode()
    assert "(Europe/Tirane)" in body


def test_it_sends_anonymous_visitors_to_log_in_before_applying(client, call):
    body = client.get(reverse("call-detail", args=[call.pk])).content.decode()
    assert f"/accounts/login/?next=/calls/{call.pk}/apply/" in body


def test_it_creates_a_draft_and_opens_the_editor(client_for, applicant_a, org_a, call):
    client = client_for(applicant_a)
    assert client.get(reverse("call-apply", args=[call.pk])).status_code == 200
    response = client.post(
        reverse("call-apply", args=[call.pk]),
        {"organisation": org_a.pk, "title": "Green schoolyards"},
    )
    application = Application.objects.get(title="Green schoolyards")
    assert response.status_code == 302
    assert response["Location"] == reverse("application-edit", args=[application.pk])
    assert application.organisation == org_a
    assert application.created_by == applicant_a


def test_it_refuses_to_apply_for_someone_elses_organisation(client_for, applicant_a, org_b, call):
    response = client_for(applicant_a).post(
        reverse("call-apply", args=[call.pk]), {"organisation": org_b.pk, "title": "Not ours"}
    )
    assert response.status_code == 400
    assert not Application.objects.filter(title="Not ours").exists()


def test_it_refuses_to_start_an_application_to_a_closed_call(client_for, applicant_a, org_a, call):
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    client = client_for(applicant_a)
    response = client.post(
        reverse("call-apply", args=[call.pk]), {"organisation": org_a.pk, "title": "Too late"}
    )
    assert response.status_code == 200
    assert "not accepting applications" in response.content.decode()
    assert not Application.objects.filter(title="Too late").exists()


def test_it_asks_for_an_organisation_profile_before_applying(client_for, call):
    newcomer = f.UserFactory()
    response = client_for(newcomer).get(reverse("call-apply", args=[call.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("organisation-create"))
    assert f"next=/calls/{call.pk}/apply/" in response["Location"].replace("%2F", "/")


@pytest.mark.parametrize("who", ["applicant_b", "other_manager"])
def test_it_does_not_show_other_organisations_drafts_when_applying(
    request, client_for, draft, call, who
):
    user = request.getfixturevalue(who)
    f.MembershipFactory(user=user)  # so the apply page opens for the manager too
    body = client_for(user).get(reverse("call-apply", args=[call.pk])).content.decode()
    assert draft.title not in body
