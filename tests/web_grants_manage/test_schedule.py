"""The manager's reporting schedule page: the programme's manager moves reports, adds an
interim one and removes a scheduled one; its approver and observer read (403 on every
action); anyone else gets 404, as on the grant page."""

import datetime as dt

import pytest
from django.urls import reverse

from grants.models import Report
from tests.web_grants_manage.conftest import award

DAY = dt.timedelta(days=1)
OUTSIDERS = ["other_manager", "applicant_a", "applicant_b", "reviewer"]


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def interim(grant):
    return grant.reports.get(number=1)


@pytest.fixture
def urls(grant, interim):
    return {
        "schedule": reverse("manage-grant-schedule", args=[grant.pk]),
        "reschedule": reverse("manage-report-reschedule", args=[grant.pk, interim.pk]),
        "remove": reverse("manage-report-remove", args=[grant.pk, interim.pk]),
    }


def dates(start: dt.date, end: dt.date, due: dt.date) -> dict[str, str]:
    return {
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "due_date": due.isoformat(),
    }


def test_it_lists_the_reports_with_their_forms_and_links_from_the_grant(
    client_for, manager, grant, urls
):
    client = client_for(manager)
    page = client.get(urls["schedule"]).content.decode()

    assert "Interim report 1" in page and "Final report 2" in page
    assert f'action="{urls["reschedule"]}"' in page
    assert f'action="{urls["remove"]}"' in page
    assert "Add interim report" in page
    assert (
        f'href="{urls["schedule"]}"'
        in client.get(reverse("manage-grant", args=[grant.pk])).content.decode()
    )


def test_it_moves_a_reports_dates(client_for, manager, interim, urls):
    end = interim.period_end + 5 * DAY
    response = client_for(manager).post(
        urls["reschedule"], dates(interim.period_start, end, end + 30 * DAY), follow=True
    )

    interim.refresh_from_db()
    assert (interim.period_end, interim.due_date) == (end, end + 30 * DAY)
    assert "Interim report 1 rescheduled." in _messages(response)


def test_it_shows_the_services_refusal_next_to_the_field(client_for, manager, interim, urls):
    response = client_for(manager).post(
        urls["reschedule"],
        dates(interim.period_start, interim.period_end, interim.period_end - DAY),
    )

    assert response.status_code == 400
    assert "cannot be due before its period ends" in response.content.decode()
    interim.refresh_from_db()
    assert interim.due_date > interim.period_end


def test_it_adds_an_interim_report(client_for, manager, grant, interim, urls):
    start = interim.period_end + DAY
    response = client_for(manager).post(
        urls["schedule"], dates(start, start + 59 * DAY, start + 89 * DAY), follow=True
    )

    assert "Interim report 2 added to the schedule." in _messages(response)
    assert list(grant.reports.values_list("number", "kind")) == [
        (1, "interim"),
        (2, "interim"),
        (3, "final"),
    ]


def test_it_refuses_an_invalid_interim_report(client_for, manager, grant, interim, urls):
    response = client_for(manager).post(
        urls["schedule"],
        dates(interim.period_start, interim.period_end, interim.due_date),
    )

    assert response.status_code == 400
    assert "overlaps interim report 1" in response.content.decode()
    assert grant.reports.count() == 2


def test_it_removes_a_scheduled_interim_report(client_for, manager, grant, urls):
    response = client_for(manager).post(urls["remove"], follow=True)

    assert "The report is removed from the schedule." in _messages(response)
    assert list(grant.reports.values_list("number", "kind")) == [(1, "final")]


def test_it_says_why_the_final_report_stays(client_for, manager, grant):
    final = grant.reports.get(kind=Report.Kind.FINAL)
    response = client_for(manager).post(
        reverse("manage-report-remove", args=[grant.pk, final.pk]), follow=True
    )

    assert "The final report cannot be removed." in _messages(response)
    assert grant.reports.count() == 2


@pytest.mark.parametrize("persona", ["approver", "observer"])
def test_it_lets_the_approver_and_observer_read_but_not_act(
    client, request, persona, grant, interim, urls
):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(urls["schedule"])
    assert page.status_code == 200
    assert "Add interim report" not in page.content.decode()
    start = interim.period_end + DAY
    for name in ("schedule", "reschedule"):
        assert (
            client.post(urls[name], dates(start, start + DAY, start + 2 * DAY)).status_code == 403
        )
    assert client.post(urls["remove"]).status_code == 403
    assert grant.reports.count() == 2


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_it_hides_the_schedule_from_outsiders(client, request, persona, grant, urls):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(urls["schedule"]).status_code == 404
    for name in ("schedule", "reschedule", "remove"):
        assert client.post(urls[name]).status_code == 404
    assert grant.reports.count() == 2


def test_it_hides_another_grants_report_behind_this_grants_url(
    client_for, manager, grant, call, org_b
):
    other = award(call, org_b, manager=manager)
    report = other.reports.get(number=1)
    client = client_for(manager)
    assert (
        client.post(reverse("manage-report-remove", args=[grant.pk, report.pk])).status_code == 404
    )
    assert other.reports.count() == 2


def test_it_sends_anonymous_visitors_to_log_in(client, urls):
    response = client.get(urls["schedule"])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
