"""The reporting schedule through the API: the manager moves a report (PATCH …/schedule/),
adds an interim report (POST …/reports/) and removes a scheduled one (DELETE). The grantee
and the approver are refused (403); whoever cannot see the grant gets 404.

The `grant` runs 12 months: interim report 1 (months 1–6, tranche 2 waits on it) and the
final report 2."""

import datetime as dt

import pytest

from grants.models import Report
from tests.grants.conftest import url

DAY = dt.timedelta(days=1)
OUTSIDERS = ["applicant_b", "other_manager", "reviewer", None]


@pytest.fixture
def interim_40_40_20(grant_40_40_20):
    return grant_40_40_20.reports.get(number=1)


def dates(start: dt.date, end: dt.date, due: dt.date) -> dict[str, str]:
    return {
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "due_date": due.isoformat(),
    }


def test_it_moves_a_reports_due_date(api_for, manager, grant_40_40_20, interim_40_40_20):
    due = interim_40_40_20.due_date + 10 * DAY
    response = api_for(manager).patch(
        url(grant_40_40_20, "reports", interim_40_40_20.pk, "schedule"),
        {"due_date": due.isoformat()},
    )

    assert response.status_code == 200, response.data
    assert response.data["due_date"] == due.isoformat()
    assert response.data["period_end"] == interim_40_40_20.period_end.isoformat()
    history = api_for(manager).get(url(grant_40_40_20, "history")).data
    assert history[-1]["transition"] == "report_reschedule"


def test_it_answers_400_for_a_due_date_before_the_period_ends(
    api_for, manager, grant_40_40_20, interim_40_40_20
):
    response = api_for(manager).patch(
        url(grant_40_40_20, "reports", interim_40_40_20.pk, "schedule"),
        {"due_date": (interim_40_40_20.period_end - DAY).isoformat()},
    )

    assert response.status_code == 400
    assert "due_date" in response.data["errors"]


def test_it_keeps_the_final_report_at_the_grants_end(api_for, manager, grant_40_40_20):
    final = grant_40_40_20.reports.get(kind=Report.Kind.FINAL)
    response = api_for(manager).patch(
        url(grant_40_40_20, "reports", final.pk, "schedule"),
        {"period_end": (grant_40_40_20.end_date - DAY).isoformat()},
    )

    assert response.status_code == 400
    assert "period_end" in response.data["errors"]


def test_it_adds_an_interim_report_and_removes_it(
    api_for, manager, grant_40_40_20, interim_40_40_20
):
    api = api_for(manager)
    start = interim_40_40_20.period_end + DAY

    added = api.post(
        url(grant_40_40_20, "reports"), dates(start, start + 59 * DAY, start + 89 * DAY)
    )

    assert added.status_code == 201, added.data
    assert (added.data["number"], added.data["kind"], added.data["state"]) == (
        2,
        "interim",
        "scheduled",
    )
    numbers = [(r["number"], r["kind"]) for r in api.get(url(grant_40_40_20)).data["reports"]]
    assert numbers == [(1, "interim"), (2, "interim"), (3, "final")]

    assert api.delete(url(grant_40_40_20, "reports", added.data["id"])).status_code == 204
    assert list(grant_40_40_20.reports.values_list("number", "kind")) == [
        (1, "interim"),
        (2, "final"),
    ]


def test_it_answers_409_for_a_report_a_tranche_waits_on_and_for_the_final(
    api_for, manager, grant_40_40_20, interim_40_40_20
):
    api = api_for(manager)
    waiting = api.delete(url(grant_40_40_20, "reports", interim_40_40_20.pk))
    final = api.delete(url(grant_40_40_20, "reports", grant_40_40_20.reports.get(kind="final").pk))

    assert (waiting.status_code, waiting.data["code"]) == (409, "tranche_waiting")
    assert (final.status_code, final.data["code"]) == (409, "final_report")
    assert grant_40_40_20.reports.count() == 2


def test_it_answers_400_for_an_overlapping_interim(
    api_for, manager, grant_40_40_20, interim_40_40_20
):
    response = api_for(manager).post(
        url(grant_40_40_20, "reports"),
        dates(
            interim_40_40_20.period_start, interim_40_40_20.period_end, interim_40_40_20.due_date
        ),
    )

    assert response.status_code == 400
    assert "period_start" in response.data["errors"]
    assert grant_40_40_20.reports.count() == 2


@pytest.mark.parametrize("persona", ["applicant_a", "approver", "observer"])
def test_it_refuses_whoever_sees_the_grant_but_does_not_manage_it(
    api_for, request, persona, grant_40_40_20, interim_40_40_20
):
    api = api_for(request.getfixturevalue(persona))
    start = interim_40_40_20.period_end + DAY

    assert (
        api.patch(
            url(grant_40_40_20, "reports", interim_40_40_20.pk, "schedule"),
            {"due_date": start.isoformat()},
        ).status_code
        == 403
    )
    assert (
        api.post(
            url(grant_40_40_20, "reports"), dates(start, start + DAY, start + 2 * DAY)
        ).status_code
        == 403
    )
    assert api.delete(url(grant_40_40_20, "reports", interim_40_40_20.pk)).status_code == 403
    interim_40_40_20.refresh_from_db()
    assert grant_40_40_20.reports.count() == 2 and interim_40_40_20.due_date < start + 30 * DAY


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_it_hides_the_schedule_from_outsiders(
    api_for, request, persona, grant_40_40_20, interim_40_40_20
):
    # Anonymous callers too: a grant URL does not tell them the grant exists.
    api = api_for(request.getfixturevalue(persona) if persona else None)
    start = interim_40_40_20.period_end + DAY

    assert (
        api.patch(
            url(grant_40_40_20, "reports", interim_40_40_20.pk, "schedule"),
            {"due_date": start.isoformat()},
        ).status_code
        == 404
    )
    assert (
        api.post(
            url(grant_40_40_20, "reports"), dates(start, start + DAY, start + 2 * DAY)
        ).status_code
        == 404
    )
    assert api.delete(url(grant_40_40_20, "reports", interim_40_40_20.pk)).status_code == 404
    assert grant_40_40_20.reports.count() == 2
