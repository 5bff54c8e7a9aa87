"""Public call pages: the lists of calls and a call's page. Applying from it:
tests/applications/applications/test_apply_pages.py."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

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
