"""The reporting schedule, editable per grant: report_reschedule, report_add_interim and
report_remove. The grant runs 12 months from `start`: interim report 1 covers months 1–6,
the final report 2 the whole period."""

import datetime as dt
from decimal import Decimal

import pytest

from applications.services.applications import application_submit
from grants.models import Grant, Report
from grants.services.grants import grant_create_from_application
from grants.services.reports import (
    report_add_interim,
    report_open,
    report_remove,
    report_reschedule,
    report_save,
    report_submit,
)
from tests import factories as f
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.models import TransitionLog

DAY = dt.timedelta(days=1)


@pytest.fixture
def grant(call, draft, applicant_a, manager):
    """org_a's grant of 9,000 EUR from `draft`, with the call's own tranches; not signed."""
    return f.awarded_grant(call=call, draft=draft, member=applicant_a, manager=manager)


@pytest.fixture
def interim(grant):
    return grant.reports.get(number=1)


@pytest.fixture
def final(grant):
    return grant.reports.get(kind=Report.Kind.FINAL)


def schedule(grant) -> list[tuple[int, str, dt.date]]:
    return list(grant.reports.order_by("number").values_list("number", "kind", "period_end"))


def test_it_moves_a_scheduled_reports_dates_and_logs_it(interim, manager):
    end = interim.period_end + 10 * DAY
    report = report_reschedule(
        report=interim, actor=manager, period_end=end, due_date=end + 20 * DAY
    )

    report.refresh_from_db()
    assert (report.period_end, report.due_date) == (end, end + 20 * DAY)
    log = TransitionLog.objects.for_object(interim.grant).last()
    assert (log.transition, log.actor) == ("report_reschedule", manager)
    assert end.isoformat() in log.comment


def test_it_reschedules_an_open_report(interim, manager):
    report_open(report=interim, actor=manager)
    due = interim.due_date + 14 * DAY

    report = report_reschedule(report=interim, actor=manager, due_date=due)

    assert report.due_date == due
    assert report.state == Report.State.OPEN


def test_it_refuses_a_submitted_report(interim, manager, applicant_a):
    report_open(report=interim, actor=manager)
    questions = interim.grant.programme.report_questions
    report_save(
        report=interim, actor=applicant_a, version=None, narrative=dict.fromkeys(questions, "Done.")
    )
    report_submit(report=interim, actor=applicant_a)

    with pytest.raises(TransitionConflict) as exc:
        report_reschedule(report=interim, actor=manager, due_date=interim.due_date + DAY)
    assert exc.value.code == "invalid_state"


def test_it_refuses_a_period_that_ends_before_it_starts_or_a_due_date_before_its_end(
    interim, manager
):
    with pytest.raises(RuleViolation) as exc:
        report_reschedule(
            report=interim,
            actor=manager,
            period_end=interim.period_start - DAY,
            due_date=interim.period_start - 2 * DAY,
        )
    assert {"period_end", "due_date"} <= set(exc.value.errors)
    interim.refresh_from_db()
    assert interim.period_end > interim.period_start


def test_it_keeps_the_final_report_at_the_grants_end(final, grant, manager):
    with pytest.raises(RuleViolation) as exc:
        report_reschedule(report=final, actor=manager, period_end=grant.end_date - DAY)
    assert "grant" in exc.value.errors["period_end"][0]

    due = final.due_date + 15 * DAY
    assert report_reschedule(report=final, actor=manager, due_date=due).due_date == due


def test_it_refuses_the_grantee_an_outsider_and_the_approver(
    interim, applicant_a, applicant_b, other_manager, approver
):
    for actor in (applicant_a, applicant_b, other_manager, approver):
        with pytest.raises(NotPermitted):
            report_reschedule(report=interim, actor=actor, due_date=interim.due_date + DAY)
        with pytest.raises(NotPermitted):
            report_add_interim(
                grant=interim.grant,
                actor=actor,
                period_start=interim.period_end + DAY,
                period_end=interim.period_end + 30 * DAY,
                due_date=interim.period_end + 60 * DAY,
            )
        with pytest.raises(NotPermitted):
            report_remove(report=interim, actor=actor)
    assert interim.grant.reports.count() == 2


def test_it_adds_an_interim_report_before_the_final_one(grant, interim, manager):
    start = interim.period_end + DAY
    end = start + 89 * DAY

    added = report_add_interim(
        grant=grant, actor=manager, period_start=start, period_end=end, due_date=end + 30 * DAY
    )

    assert (added.number, added.kind, added.state) == (2, "interim", "scheduled")
    assert schedule(grant) == [
        (1, "interim", interim.period_end),
        (2, "interim", end),
        (3, "final", grant.end_date),
    ]
    assert TransitionLog.objects.for_object(grant).last().transition == "report_add_interim"


def test_it_renumbers_by_period_when_an_interim_goes_first(grant, interim, manager):
    # Make room at the start, then add a report for the first quarter.
    report_reschedule(report=interim, actor=manager, period_start=grant.start_date + 90 * DAY)
    end = grant.start_date + 89 * DAY

    added = report_add_interim(
        grant=grant,
        actor=manager,
        period_start=grant.start_date,
        period_end=end,
        due_date=end + 30 * DAY,
    )

    assert added.number == 1
    interim.refresh_from_db()
    assert interim.number == 2
    assert [n for n, _kind, _end in schedule(grant)] == [1, 2, 3]
    assert schedule(grant)[-1][1] == "final"


def test_it_renumbers_when_a_reschedule_changes_the_order(grant, interim, manager):
    start = interim.period_end + DAY
    second = report_add_interim(
        grant=grant,
        actor=manager,
        period_start=start,
        period_end=start + 59 * DAY,
        due_date=start + 89 * DAY,
    )
    # Move the first interim after the second.
    later = start + 60 * DAY
    report_reschedule(
        report=interim,
        actor=manager,
        period_start=later,
        period_end=later + 29 * DAY,
        due_date=later + 59 * DAY,
    )

    second.refresh_from_db()
    interim.refresh_from_db()
    assert (second.number, interim.number) == (1, 2)
    assert schedule(grant)[-1] == (3, "final", grant.end_date)


def test_it_refuses_an_interim_overlapping_another_or_past_the_grants_end(grant, interim, manager):
    with pytest.raises(RuleViolation) as exc:
        report_add_interim(
            grant=grant,
            actor=manager,
            period_start=interim.period_end - 10 * DAY,
            period_end=interim.period_end + 10 * DAY,
            due_date=interim.period_end + 40 * DAY,
        )
    assert "overlaps interim report 1" in exc.value.errors["period_start"][0]

    with pytest.raises(RuleViolation) as exc:
        report_add_interim(
            grant=grant,
            actor=manager,
            period_start=interim.period_end + DAY,
            period_end=grant.end_date,
            due_date=grant.end_date + 30 * DAY,
        )
    assert "period_end" in exc.value.errors
    with pytest.raises(RuleViolation) as exc:
        report_add_interim(
            grant=grant,
            actor=manager,
            period_start=grant.start_date - 10 * DAY,
            period_end=grant.start_date - DAY,
            due_date=grant.start_date,
        )
    assert "period_start" in exc.value.errors
    assert grant.reports.count() == 2


def test_it_removes_a_scheduled_interim_and_renumbers(grant, interim, manager):
    report_remove(report=interim, actor=manager)

    assert schedule(grant) == [(1, "final", grant.end_date)]
    log = TransitionLog.objects.for_object(grant).last()
    assert (log.transition, log.actor) == ("report_remove", manager)


def test_it_refuses_to_remove_the_final_report_or_an_open_one(interim, final, manager):
    with pytest.raises(TransitionConflict) as exc:
        report_remove(report=final, actor=manager)
    assert exc.value.code == "final_report"

    report_open(report=interim, actor=manager)
    with pytest.raises(TransitionConflict) as exc:
        report_remove(report=interim, actor=manager)
    assert exc.value.code == "invalid_state"
    assert interim.grant.reports.count() == 2


def test_it_refuses_to_remove_a_report_a_tranche_waits_on(call, draft, applicant_a, manager):
    call.tranche_template = [
        {"percent": 50, "trigger": "signature"},
        {"percent": 50, "trigger": "report:1"},
    ]
    call.save()
    application = application_submit(application=draft, actor=applicant_a)
    grant = grant_create_from_application(
        application=application, amount=Decimal("9000"), actor=manager
    )

    with pytest.raises(TransitionConflict) as exc:
        report_remove(report=grant.reports.get(number=1), actor=manager)
    assert exc.value.code == "tranche_waiting"
    assert "Tranche 2" in exc.value.detail


def test_numbers_stay_unique_and_ordered_through_many_changes(grant, interim, manager):
    # Split the year into quarters: shrink the first interim, add three more, remove one.
    start = grant.start_date
    report_reschedule(
        report=interim, actor=manager, period_end=start + 89 * DAY, due_date=start + 119 * DAY
    )
    added = []
    for quarter in (3, 1, 2):  # out of order on purpose
        q_start = start + 90 * quarter * DAY
        added.append(
            report_add_interim(
                grant=grant,
                actor=manager,
                period_start=q_start,
                period_end=q_start + 89 * DAY,
                due_date=q_start + 119 * DAY,
            )
        )
    report_remove(report=added[1], actor=manager)

    rows = schedule(grant)
    assert [n for n, _kind, _end in rows] == [1, 2, 3, 4]
    assert [kind for _n, kind, _end in rows] == ["interim"] * 3 + ["final"]
    ends = [end for _n, _kind, end in rows]
    assert ends == sorted(ends)


def test_it_refuses_changes_once_the_grant_is_terminated(grant, interim, manager):
    Grant.objects.filter(pk=grant.pk).update(state=Grant.State.TERMINATED)

    with pytest.raises(TransitionConflict) as exc:
        report_reschedule(report=interim, actor=manager, due_date=interim.due_date + DAY)
    assert exc.value.code == "invalid_state"
