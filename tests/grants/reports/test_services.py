"""Reports after the award through the services: the schedule, the round trip to approval, the financial statement, the indicator roll-up and the sweep that opens them."""

import datetime as dt
from decimal import Decimal

import pytest

from grants.models import ExchangeRate, Report
from grants.selectors.reports import financial_statement, indicator_rollup
from grants.services.grants import grant_sign, reporting_schedule, tranche_approve, tranche_pay
from grants.services.reports import (
    report_approve,
    report_open,
    report_request_changes,
    report_save,
    report_submit,
)
from tests import factories as f
from workflows.exceptions import NotPermitted, RuleViolation


def test_the_schedule_has_interims_and_a_final_report():
    schedule = reporting_schedule(
        start=dt.date(2027, 1, 15),
        end=dt.date(2028, 1, 14),
        template={"interim_every_months": 6, "final_within_days": 30},
    )
    assert [(r["kind"], r["period_start"], r["period_end"], r["due_date"]) for r in schedule] == [
        ("interim", dt.date(2027, 1, 15), dt.date(2027, 7, 14), dt.date(2027, 8, 13)),
        ("final", dt.date(2027, 1, 15), dt.date(2028, 1, 14), dt.date(2028, 2, 13)),
    ]


def test_the_interim_report_round_trip_releases_the_second_tranche(
    grant_40_40_20, applicant_a, manager, approver, indicator
):
    grant_sign(grant=grant_40_40_20, actor=applicant_a)
    interim = grant_40_40_20.reports.get(number=1)
    report_open(report=interim, actor=manager)
    line = grant_40_40_20.budget_lines.first()
    questions = grant_40_40_20.programme.report_questions
    with pytest.raises(RuleViolation) as exc:
        report_submit(report=interim, actor=applicant_a)
    assert len(exc.value.errors["narrative"]) == len(questions)

    interim = report_save(
        report=interim,
        actor=applicant_a,
        version=1,
        narrative={q: "Done." for q in questions},
        spending={line.pk: "4000"},
        indicators={indicator.pk: "47"},
    )
    report_submit(report=interim, actor=applicant_a)
    report_request_changes(
        report=interim, actor=manager, comments={"financial": "Attach the receipts for the venue."}
    )
    interim.refresh_from_db()
    assert interim.state == "changes_requested"
    assert list(interim.comments.values_list("section", "text")) == [
        ("financial", "Attach the receipts for the venue.")
    ]
    report_submit(report=interim, actor=applicant_a)
    report_approve(report=interim, actor=manager)

    second = grant_40_40_20.tranches.get(number=2)
    assert second.state == "due" and second.made_due_by is None
    tranche_approve(tranche=second, actor=approver)
    tranche_pay(tranche=second, actor=approver, paid_on=dt.date(2027, 8, 1), reference="BANK-2")
    second.refresh_from_db()
    assert (second.state, second.paid_amount) == ("paid", Decimal("3600.00"))


def test_a_report_cannot_be_approved_by_its_authors_organisation(
    grant_40_40_20, applicant_a, manager, org_a
):
    f.MembershipFactory(user=manager, organisation=org_a, role="member")
    from grants.policies import forget_roles

    forget_roles(manager)
    interim = grant_40_40_20.reports.get(number=1)
    report_open(report=interim, actor=manager)
    report_save(
        report=interim,
        actor=applicant_a,
        version=None,
        narrative={q: "x" for q in grant_40_40_20.programme.report_questions},
    )
    report_submit(report=interim, actor=applicant_a)
    with pytest.raises(NotPermitted):
        report_approve(report=interim, actor=manager)
    interim.refresh_from_db()
    assert interim.state == "submitted"


def test_the_statement_converts_and_warns_beyond_the_flexibility(
    grant_40_40_20, applicant_a, manager
):
    report = grant_40_40_20.reports.get(number=1)
    report_open(report=report, actor=manager)
    line = grant_40_40_20.budget_lines.get()  # budget 9000 EUR, flexibility 10 %
    ExchangeRate.objects.create(
        programme=grant_40_40_20.programme,
        currency="RSD",
        month=report.period_end.replace(day=1),
        rate=Decimal("117.2"),
    )
    report_save(
        report=report,
        actor=applicant_a,
        version=None,
        currency="RSD",
        spending={line.pk: "1172000"},
    )  # 10,000 EUR: 11.11 % over
    statement = financial_statement(Report.objects.get(pk=report.pk))
    (row,) = statement.lines
    assert (row.spent, row.variance, row.over_percent, row.warning) == (
        Decimal("10000.00"),
        Decimal("-1000.00"),
        Decimal("11.11"),
        True,
    )
    report_save(report=report, actor=applicant_a, version=None, spending={line.pk: "1160000"})
    (row,) = financial_statement(Report.objects.get(pk=report.pk)).lines
    assert row.warning is False  # 9,897.61 EUR: within budget


def test_the_rollup_sums_only_approved_values(
    grant_40_40_20, applicant_a, manager, indicator, programme
):
    interim, final = grant_40_40_20.reports.all()
    for report, value in ((interim, "30"), (final, "17")):
        report_open(report=report, actor=manager)
        report_save(
            report=report,
            actor=applicant_a,
            version=None,
            indicators={indicator.pk: value},
            narrative={q: "x" for q in programme.report_questions},
        )
        report_submit(report=report, actor=applicant_a)
    report_approve(report=interim, actor=manager)
    (row,) = indicator_rollup(programme=programme)
    assert (row["target"], row["achieved"]) == (Decimal("50.00"), Decimal("30.00"))


def test_an_approved_final_report_replaces_the_interims_in_the_rollup(
    grant_40_40_20, applicant_a, manager, indicator, programme
):
    interim, final = grant_40_40_20.reports.all()
    for report, value in ((interim, "30"), (final, "47")):  # the final counts the whole period
        report_open(report=report, actor=manager)
        report_save(
            report=report,
            actor=applicant_a,
            version=None,
            indicators={indicator.pk: value},
            narrative={q: "x" for q in programme.report_questions},
        )
        report_submit(report=report, actor=applicant_a)
        report_approve(report=report, actor=manager)
    (row,) = indicator_rollup(programme=programme)
    assert row["achieved"] == Decimal("47.00")


def test_the_sweep_opens_reports_whose_period_ended_once(grant_40_40_20):
    from grants.services.reports import reports_open_due

    interim = grant_40_40_20.reports.get(number=1)
    assert reports_open_due(today=interim.period_end) == 0  # the last day still belongs to it
    assert reports_open_due(today=interim.period_end + dt.timedelta(days=1)) == 1
    assert reports_open_due(today=interim.period_end + dt.timedelta(days=1)) == 0
    interim.refresh_from_db()
    assert interim.state == "open"
    assert grant_40_40_20.reports.get(number=2).state == "scheduled"
