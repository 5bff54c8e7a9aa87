"""The manager's reporting schedule page: the programme's manager moves reports, adds an
interim one and removes a scheduled one; its approver and observer read (403 on every
action); anyone else gets 404, as on the grant page."""

import datetime as dt

import pytest
from django.urls import reverse

from grants.models import Report
from tests import factories as f

DAY = dt.timedelta(days=1)
OUTSIDERS = ["other_manager", "applicant_a", "applicant_b", "reviewer"]


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def interim_of_signed_grant(signed_grant):
    return signed_grant.reports.get(number=1)


@pytest.fixture
def schedule_urls(signed_grant, interim_of_signed_grant):
    return {
        "schedule": reverse("manage-grant-schedule", args=[signed_grant.pk]),
        "reschedule": reverse(
            "manage-report-reschedule", args=[signed_grant.pk, interim_of_signed_grant.pk]
        ),
        "remove": reverse(
            "manage-report-remove", args=[signed_grant.pk, interim_of_signed_grant.pk]
        ),
    }


def dates(start: dt.date, end: dt.date, due: dt.date) -> dict[str, str]:
    return {
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "due_date": due.isoformat(),
    }


def test_it_lists_the_reports_with_their_forms_and_links_from_the_grant(
    client_for, manager, signed_grant, schedule_urls
):
    client = client_for(manager)
    page = client.get(schedule_urls["schedule"]).content.decode()

    assert "Interim report 1" in page and "Final report 2" in page
    assert f'action="{schedule_urls["reschedule"]}"' in page
    assert f'action="{schedule_urls["remove"]}"' in page
    assert "Add interim report" in page
    assert (
        f'href="{schedule_urls["schedule"]}"'
        in client.get(reverse("manage-grant", args=[signed_grant.pk])).content.decode()
    )


def test_it_moves_a_reports_dates(client_for, manager, interim_of_signed_grant, schedule_urls):
    end = interim_of_signed_grant.period_end + 5 * DAY
    response = client_for(manager).post(
        schedule_urls["reschedule"],
        dates(interim_of_signed_grant.period_start, end, end + 30 * DAY),
        follow=True,
    )

    interim_of_signed_grant.refresh_from_db()
    assert (interim_of_signed_grant.period_end, interim_of_signed_grant.due_date) == (
        end,
        end + 30 * DAY,
    )
    assert "Interim report 1 rescheduled." in _messages(response)


def test_it_shows_the_services_refusal_next_to_the_field(
    client_for, manager, interim_of_signed_grant, schedule_urls
):
    response = client_for(manager).post(
        schedule_urls["reschedule"],
        dates(
            interim_of_signed_grant.period_start,
            interim_of_signed_grant.period_end,
            interim_of_signed_grant.period_end - DAY,
        ),
    )

    assert response.status_code == 400
    assert "cannot be due before its period ends" in response.content.decode()
    interim_of_signed_grant.refresh_from_db()
    assert interim_of_signed_grant.due_date > interim_of_signed_grant.period_end


def test_it_adds_an_interim_report(
    client_for, manager, signed_grant, interim_of_signed_grant, schedule_urls
):
    start = interim_of_signed_grant.period_end + DAY
    response = client_for(manager).post(
        schedule_urls["schedule"], dates(start, start + 59 * DAY, start + 89 * DAY), follow=True
    )

    assert "Interim report 2 added to the schedule." in _messages(response)
    assert list(signed_grant.reports.values_list("number", "kind")) == [
        (1, "interim"),
        (2, "interim"),
        (3, "final"),
    ]


def test_it_refuses_an_invalid_interim_report(
    client_for, manager, signed_grant, interim_of_signed_grant, schedule_urls
):
    response = client_for(manager).post(
        schedule_urls["schedule"],
        dates(
            interim_of_signed_grant.period_start,
            interim_of_signed_grant.period_end,
            interim_of_signed_grant.due_date,
        ),
    )

    assert response.status_code == 400
    assert "overlaps interim report 1" in response.content.decode()
    assert signed_grant.reports.count() == 2


def test_it_removes_a_scheduled_interim_report(client_for, manager, signed_grant, schedule_urls):
    response = client_for(manager).post(schedule_urls["remove"], follow=True)

    assert "The report is removed from the schedule." in _messages(response)
    assert list(signed_grant.reports.values_list("number", "kind")) == [(1, "final")]


def test_it_says_why_the_final_report_stays(client_for, manager, signed_grant):
    final = signed_grant.reports.get(kind=Report.Kind.FINAL)
    response = client_for(manager).post(
        reverse("manage-report-remove", args=[signed_grant.pk, final.pk]), follow=True
    )

    assert "The final report cannot be removed." in _messages(response)
    assert signed_grant.reports.count() == 2


@pytest.mark.parametrize("persona", ["approver", "observer"])
def test_it_lets_the_approver_and_observer_read_but_not_act(
    client, request, persona, signed_grant, interim_of_signed_grant, schedule_urls
):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(schedule_urls["schedule"])
    assert page.status_code == 200
    assert "Add interim report" not in page.content.decode()
    start = interim_of_signed_grant.period_end + DAY
    for name in ("schedule", "reschedule"):
        assert (
            client.post(schedule_urls[name], dates(start, start + DAY, start + 2 * DAY)).status_code
            == 403
        )
    assert client.post(schedule_urls["remove"]).status_code == 403
    assert signed_grant.reports.count() == 2


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_it_hides_the_schedule_from_outsiders(
    client, request, persona, signed_grant, schedule_urls
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(schedule_urls["schedule"]).status_code == 404
    for name in ("schedule", "reschedule", "remove"):
        assert client.post(schedule_urls[name]).status_code == 404
    assert signed_grant.reports.count() == 2


def test_it_hides_another_grants_report_behind_this_grants_url(
    client_for, manager, signed_grant, call, org_b
):
    other = f.awarded_grant(call=call, organisation=org_b, manager=manager)
    report = other.reports.get(number=1)
    client = client_for(manager)
    assert (
        client.post(reverse("manage-report-remove", args=[signed_grant.pk, report.pk])).status_code
        == 404
    )
    assert other.reports.count() == 2


def test_it_sends_anonymous_visitors_to_log_in(client, schedule_urls):
    response = client.get(schedule_urls["schedule"])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
