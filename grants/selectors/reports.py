"""Reads of reports: one report for its grantee or its programme's staff (or 404), the exchange
rate that applies, the financial statement of a report, and the roll-up of indicator values to
the programme."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, Q, Sum

from grants.models import (
    ExchangeRate,
    Grant,
    IndicatorValue,
    Programme,
    Report,
    ReportAttachment,
)
from grants.selectors.grants import grant_for_member
from grants.selectors.programmes import staffed_programme_ids
from workflows.selectors import object_or_404

CENT = Decimal("0.01")


# One report, for one audience, or 404 ----------------------------------------------------


def report_of(grant: Grant, report_id, *, for_update: bool = False) -> Report:
    """A report of this grant (already fetched for its viewer), or 404; its `grant` is this
    one, without a query."""
    return object_or_404(grant.reports.all(), report_id, for_update=for_update)


def report_for_member(user, grant_id, report_id, *, for_update: bool = False) -> Report:
    """A report of a grant of one of the user's organisations (grants.selectors.grants.
    grant_for_member), with that grant, its programme and call; 404 for anyone else."""
    grant = grant_for_member(user, grant_id)
    report = report_of(grant, report_id, for_update=for_update)
    report.grant = grant  # one fetch, with its programme and call
    return report


def report_for_staff(user, report_id, *, for_update: bool = False) -> Report:
    """A report of a sub-grant in a programme this user staffs, with what the manager's pages
    read of its grant; 404 otherwise."""
    return object_or_404(
        Report.objects.filter(grant__programme_id__in=staffed_programme_ids(user)).select_related(
            "grant__organisation",
            "grant__programme",
            "grant__application__call",
            "submitted_by",
            "decided_by",
        ),
        report_id,
        for_update=for_update,
    )


def attachment_of(report: Report, attachment_id, *, for_update: bool = False) -> ReportAttachment:
    """A receipt or photo attached to this report (already fetched for its viewer), or 404."""
    return object_or_404(
        ReportAttachment.objects.filter(report=report), attachment_id, for_update=for_update
    )


def rate_for(*, programme: Programme, currency: str, day: dt.date) -> ExchangeRate | None:
    """The rate of the month of `day`, or None (same currency needs none)."""
    if currency == programme.currency:
        return None
    return ExchangeRate.objects.filter(
        programme=programme, currency=currency, month=day.replace(day=1)
    ).first()


@dataclass(frozen=True)
class StatementLine:
    budget_line_id: int
    description: str
    budget: Decimal
    spent_local: Decimal
    spent: Decimal  # in the grant's currency
    variance: Decimal  # budget − spent
    over_percent: Decimal  # how far above budget, in % (0 when within)
    warning: bool


@dataclass(frozen=True)
class Statement:
    currency: str
    report_currency: str
    rate: Decimal | None
    lines: list[StatementLine]
    total_budget: Decimal
    total_spent: Decimal
    missing_rate: bool


def financial_statement(report: Report, *, rate: Decimal | None = None) -> Statement:
    """Spending per budget line against the budget, converted to the grant's currency with
    the month's rate (or the rate stored at approval), with the variance and a warning when
    a line goes over by more than the call's flexibility percentage."""
    grant = report.grant
    flexibility = Decimal(10)
    if grant.application_id:
        flexibility = grant.application.call.budget_flexibility_percent
    needs_rate = report.currency != grant.currency
    if needs_rate and rate is None:
        rate = report.exchange_rate
        if rate is None and grant.programme_id:
            found = rate_for(
                programme=grant.programme, currency=report.currency, day=report.period_end
            )
            rate = found.rate if found else None
    spent = {f.budget_line_id: f.spent for f in report.financial_lines.all()}
    lines = []
    for line in grant.budget_lines.all():
        local = spent.get(line.pk, Decimal(0))
        converted = local if not needs_rate else (local / rate if rate else Decimal(0))
        converted = converted.quantize(CENT, rounding=ROUND_HALF_UP)
        over = Decimal(0)
        if line.amount and converted > line.amount:
            over = ((converted - line.amount) * 100 / line.amount).quantize(CENT)
        lines.append(
            StatementLine(
                budget_line_id=line.pk,
                description=line.description,
                budget=line.amount,
                spent_local=local,
                spent=converted,
                variance=line.amount - converted,
                over_percent=over,
                warning=over > flexibility,
            )
        )
    return Statement(
        currency=grant.currency,
        report_currency=report.currency,
        rate=rate if needs_rate else None,
        lines=lines,
        total_budget=sum((line.budget for line in lines), Decimal(0)),
        total_spent=sum((line.spent for line in lines), Decimal(0)),
        missing_rate=needs_rate and not rate,
    )


def indicator_rollup(
    *, programme: Programme, start: dt.date | None = None, end: dt.date | None = None
) -> list[dict]:
    """Each indicator of the programme with the sum of the values in APPROVED reports of its
    sub-grants (for reports whose period ends within [start, end] when given). The final
    report covers the whole grant period, so once it is approved it replaces that grant's
    interim reports rather than adding to them. One query for the indicators, one for the sums."""
    approved_final = Report.objects.filter(
        grant=OuterRef("report__grant"), kind=Report.Kind.FINAL, state=Report.State.APPROVED
    )
    if end:
        approved_final = approved_final.filter(period_end__lte=end)
    values = IndicatorValue.objects.filter(
        indicator__programme=programme, report__state=Report.State.APPROVED
    ).filter(Q(report__kind=Report.Kind.FINAL) | ~Exists(approved_final))
    if start:
        values = values.filter(report__period_end__gte=start)
    if end:
        values = values.filter(report__period_end__lte=end)
    sums = dict(
        values.values("indicator_id").annotate(s=Sum("value")).values_list("indicator_id", "s")
    )
    return [
        {
            "indicator": indicator,
            "target": indicator.target,
            "achieved": sums.get(indicator.pk) or Decimal(0),
        }
        for indicator in programme.indicators.all()
    ]
