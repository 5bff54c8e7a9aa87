"""The regranting cascade, read for someone: what the public may see of it (a programme it
knows of, and its published grants), a programme's portfolio of sub-grants, the lead's summary
of an incoming grant, the consolidated report for the donor, and the donor's rules a sub-grant
must respect.

Everything here is a read. Sums and counts run in the database; each list is one query, with
subqueries rather than joins, because joining tranches and reports to grants multiplies rows
and silently inflates every sum.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grants import policies
from grants.models import (
    BudgetCategory,
    FinancialLine,
    Grant,
    GrantBudgetLine,
    Programme,
    Report,
    Tranche,
)
from grants.selectors.programmes import PUBLIC_CALL_STATES
from grants.selectors.reports import indicator_rollup
from grants.templatetags.money import format_money
from workflows.exports import csv_cell
from workflows.selectors import object_or_404

CENT = Decimal("0.01")
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)
PENDING_REPORT_STATES = (
    Report.State.SCHEDULED,
    Report.State.OPEN,
    Report.State.CHANGES_REQUESTED,
)
# What EU cascade funding rules call "awarded": published, and never suspended or terminated.
PUBLIC_GRANT_STATES = (
    Grant.State.AWARDED,
    Grant.State.CONTRACTED,
    Grant.State.ACTIVE,
    Grant.State.CLOSING,
    Grant.State.CLOSED,
)
NARRATIVE_HIGHLIGHT_CHARS = 500


def as_money(value) -> Decimal:
    # SQLite returns sums without their scale; every amount leaves here with two decimals.
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


# What the public sees -------------------------------------------------------------------


def public_programme(programme_id, *related: str) -> Programme:
    """A programme the public already knows of: one with a published call or a published
    grant. Anything else is 404, like a programme that does not exist."""
    return object_or_404(
        Programme.objects.filter(
            Q(calls__state__in=PUBLIC_CALL_STATES) | Q(subgrants__state__in=PUBLIC_GRANT_STATES)
        )
        .distinct()
        .select_related("owner", *related),
        programme_id,
    )


def public_grants(programme: Programme) -> QuerySet[Grant]:
    """The grants of a programme the public may see: published, never suspended or
    terminated. The page and every open-data file show these and only these."""
    return Grant.objects.filter(programme=programme, state__in=PUBLIC_GRANT_STATES)


# The portfolio --------------------------------------------------------------------------


def _paid_subquery(grant_ref: str = "pk") -> Subquery:
    paid = (
        Tranche.objects.filter(grant=OuterRef(grant_ref), state=Tranche.State.PAID)
        .order_by()
        .values("grant")
        .annotate(s=Sum("paid_amount"))
        .values("s")
    )
    return Subquery(paid, output_field=MONEY_FIELD)


def with_portfolio_figures(grants: QuerySet[Grant], *, today: dt.date) -> QuerySet[Grant]:
    """Paid so far, the next report due date and the number of overdue reports, each a
    subquery of the grants' own query."""
    pending = Report.objects.filter(grant=OuterRef("pk"), state__in=PENDING_REPORT_STATES)
    overdue = (
        pending.filter(due_date__lt=today)
        .order_by()
        .values("grant")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return grants.annotate(
        paid=Coalesce(_paid_subquery(), Value(Decimal(0)), output_field=MONEY_FIELD),
        next_deadline=Subquery(pending.order_by("due_date").values("due_date")[:1]),
        overdue_reports=Coalesce(
            Subquery(overdue, output_field=IntegerField()), Value(0), output_field=IntegerField()
        ),
    )


def portfolio(
    programme: Programme,
    *,
    viewer,
    state: str | None = None,
    overdue_only: bool = False,
) -> QuerySet[Grant]:
    """The sub-grants of a programme with state, amount, `paid`, `next_deadline` and
    `overdue_reports`, in one query. Nothing for someone who does not staff the programme."""
    if not policies.is_programme_staff(user=viewer, programme_id=programme.pk):
        return Grant.objects.none()
    grants = with_portfolio_figures(
        Grant.objects.filter(programme=programme).select_related("organisation"),
        today=timezone.localdate(),
    )
    if state:
        grants = grants.filter(state=state)
    if overdue_only:
        grants = grants.filter(overdue_reports__gt=0)
    return grants.order_by("reference", "pk")


def cofinancing_percent(grant: Grant) -> Decimal:
    """The grantee's own contribution as a share of the project's total."""
    total = (grant.amount or 0) + (grant.own_contribution or 0)
    if not total:
        return Decimal("0.00")
    return (Decimal(grant.own_contribution) * 100 / total).quantize(CENT, ROUND_HALF_UP)


def subgrant_within_donor_rules(
    programme: Programme, amount: Decimal, cofinancing_percent: Decimal
) -> list[str]:
    """What a sub-grant of `amount` with `cofinancing_percent` own contribution breaks among
    the rules of the donor's grant that funds the programme; empty when it breaks none."""
    parent = programme.parent_grant
    if parent is None:
        return []
    currency = programme.currency
    violations = []
    if parent.max_subgrant_amount is not None and amount > parent.max_subgrant_amount:
        violations.append(
            _("Above the donor's maximum per sub-grant (%(max)s).")
            % {"max": format_money(parent.max_subgrant_amount, currency)}
        )
    if parent.min_cofinancing_percent is not None and (
        cofinancing_percent < parent.min_cofinancing_percent
    ):
        violations.append(
            _("Co-financing %(p)s %% is below the donor's minimum of %(min)s %%.")
            % {"p": cofinancing_percent, "min": parent.min_cofinancing_percent}
        )
    if parent.max_cofinancing_percent is not None and (
        cofinancing_percent > parent.max_cofinancing_percent
    ):
        violations.append(
            _("Co-financing %(p)s %% is above the donor's maximum of %(max)s %%.")
            % {"p": cofinancing_percent, "max": parent.max_cofinancing_percent}
        )
    return violations


# Reported spending ----------------------------------------------------------------------


def _reported_spending(reports: QuerySet[Report]) -> dict[int, dict[str, Decimal]]:
    """{grant_id: {category: spent}} in the programme's currency, from approved reports.

    One query: spending per (report, category) with the rate stored at approval. The final
    report covers the grant's whole period (see grants.services.grants.reporting_schedule), so when
    it is among the reports it replaces the interims instead of adding to them.
    """
    rows = (
        FinancialLine.objects.filter(report__in=reports)
        .order_by()
        .values(
            "report_id",
            "report__grant_id",
            "report__kind",
            "report__exchange_rate",
            "budget_line__category",
        )
        .annotate(spent=Sum("spent"))
    )
    interim: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    final: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in rows:
        rate = row["report__exchange_rate"]
        spent = Decimal(row["spent"] or 0)
        converted = spent / Decimal(rate) if rate else spent
        target = final if row["report__kind"] == Report.Kind.FINAL else interim
        target[row["report__grant_id"]][row["budget_line__category"]] += converted
    by_grant = {**interim, **final}
    return {
        grant_id: {category: as_money(v) for category, v in categories.items()}
        for grant_id, categories in by_grant.items()
    }


# The incoming grant ---------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeFigures:
    programme: Programme
    budget: Decimal
    committed: Decimal
    paid: Decimal
    reported: Decimal
    subgrants: int


@dataclass(frozen=True)
class IncomingGrantSummary:
    grant: Grant
    currency: str
    regranting_budget: Decimal
    committed: Decimal
    paid: Decimal
    reported_spending: Decimal
    remaining: Decimal  # regranting budget − committed
    programmes: list[ProgrammeFigures]
    # Programmes kept in another currency than the grant's: listed, not added up.
    other_currency: list[Programme] = field(default_factory=list)


def incoming_grant_summary(grant: Grant, *, viewer) -> IncomingGrantSummary | None:
    """For an incoming grant that funds programmes: the regranting budget (the funded
    programmes' budgets), committed in sub-grants, paid, reported spending (approved reports,
    converted with the rate stored at approval) and what remains to commit. None for a viewer
    who staffs none of the funded programmes."""
    programmes = list(grant.funded_programmes.order_by("title"))
    if not any(policies.is_programme_staff(user=viewer, programme_id=p.pk) for p in programmes):
        return None
    same = [p for p in programmes if p.currency == grant.currency]
    ids = [p.pk for p in same]
    per_programme = {
        row["programme_id"]: row
        for row in Grant.objects.filter(programme_id__in=ids)
        .order_by()
        .values("programme_id")
        .annotate(committed=Sum("amount"), n=Count("pk"))
    }
    # Tranches to grants is many-to-one: grouping tranches by programme multiplies nothing.
    paid = dict(
        Tranche.objects.filter(grant__programme_id__in=ids, state=Tranche.State.PAID)
        .order_by()
        .values("grant__programme_id")
        .annotate(s=Sum("paid_amount"))
        .values_list("grant__programme_id", "s")
    )
    spending = _reported_spending(
        Report.objects.filter(grant__programme_id__in=ids, state=Report.State.APPROVED)
    )
    grant_programme = dict(
        Grant.objects.filter(pk__in=list(spending)).values_list("pk", "programme_id")
    )
    reported: dict[int, Decimal] = defaultdict(Decimal)
    for grant_id, categories in spending.items():
        reported[grant_programme[grant_id]] += sum(categories.values(), Decimal(0))
    figures = [
        ProgrammeFigures(
            programme=p,
            budget=as_money(p.budget),
            committed=as_money(per_programme.get(p.pk, {}).get("committed")),
            paid=as_money(paid.get(p.pk)),
            reported=as_money(reported.get(p.pk)),
            subgrants=per_programme.get(p.pk, {}).get("n", 0),
        )
        for p in same
    ]
    budget = sum((f.budget for f in figures), Decimal(0))
    committed = sum((f.committed for f in figures), Decimal(0))
    return IncomingGrantSummary(
        grant=grant,
        currency=grant.currency,
        regranting_budget=budget,
        committed=committed,
        paid=sum((f.paid for f in figures), Decimal(0)),
        reported_spending=sum((f.reported for f in figures), Decimal(0)),
        remaining=budget - committed,
        programmes=figures,
        other_currency=[p for p in programmes if p.currency != grant.currency],
    )


# The donor's consolidated report --------------------------------------------------------


@dataclass
class Section:
    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)


def _in_period(queryset: QuerySet, name: str, start: dt.date, end: dt.date) -> QuerySet:
    return queryset.filter(**{f"{name}__gte": start, f"{name}__lte": end})


def donor_report_rows(
    programme: Programme, start: dt.date, end: dt.date, *, viewer
) -> list[Section]:
    """The consolidated report of a programme for its donor over [start, end]: sub-grants
    running in the period, payments made in it, spending per budget category and indicators
    from the approved reports whose period ends in it, and the narrative highlights of those
    reports. Empty for a viewer who does not staff the programme."""
    if not policies.is_programme_staff(user=viewer, programme_id=programme.pk):
        return []
    currency = programme.currency
    grants = (
        Grant.objects.filter(programme=programme)
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=end))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .select_related("organisation")
        .order_by("reference", "pk")
    )
    subgrants = Section(
        "subgrants",
        _("Sub-grants"),
        [
            _("Reference"),
            _("Recipient"),
            _("Country"),
            _("Project"),
            _("Amount"),
            _("Currency"),
            _("State"),
            _("Start"),
            _("End"),
        ],
    )
    for g in grants:
        subgrants.rows.append(
            [
                g.reference,
                g.organisation.legal_name,
                g.organisation.country,
                g.title,
                as_money(g.amount),
                g.currency,
                g.get_state_display(),
                g.start_date,
                g.end_date,
            ]
        )

    payments = Section(
        "payments",
        _("Payments"),
        [
            _("Reference"),
            _("Recipient"),
            _("Tranche"),
            _("Paid on"),
            _("Amount"),
            _("Currency"),
            _("Payment reference"),
        ],
    )
    paid = _in_period(
        Tranche.objects.filter(grant__programme=programme, state=Tranche.State.PAID),
        "paid_on",
        start,
        end,
    ).select_related("grant__organisation")
    for t in paid.order_by("paid_on", "grant__reference", "number"):
        payments.rows.append(
            [
                t.grant.reference,
                t.grant.organisation.legal_name,
                t.number,
                t.paid_on,
                as_money(t.paid_amount),
                t.grant.currency,
                t.payment_reference,
            ]
        )

    approved = _in_period(
        Report.objects.filter(grant__programme=programme, state=Report.State.APPROVED),
        "period_end",
        start,
        end,
    )
    spending = Section(
        "spending",
        _("Spending per category"),
        [_("Category"), _("Budget"), _("Reported spending"), _("Currency")],
    )
    spent: dict[str, Decimal] = defaultdict(Decimal)
    for categories in _reported_spending(approved).values():
        for category, value in categories.items():
            spent[category] += value
    budgets = dict(
        GrantBudgetLine.objects.filter(grant__in=grants.values("pk"))
        .order_by()
        .values("category")
        .annotate(s=Sum("amount"))
        .values_list("category", "s")
    )
    labels = dict(BudgetCategory.choices)
    for category in sorted(set(budgets) | set(spent), key=lambda c: str(labels.get(c, c))):
        spending.rows.append(
            [
                str(labels.get(category, category)),
                as_money(budgets.get(category)),
                as_money(spent.get(category)),
                currency,
            ]
        )

    indicators = Section(
        "indicators",
        _("Indicators"),
        [_("Code"), _("Indicator"), _("Unit"), _("Target"), _("Achieved")],
    )
    for row in indicator_rollup(programme=programme, start=start, end=end):
        indicator = row["indicator"]
        indicators.rows.append(
            [indicator.code, indicator.name, indicator.unit, row["target"], row["achieved"]]
        )

    highlights = Section(
        "narrative",
        _("Narrative highlights"),
        [_("Reference"), _("Recipient"), _("Report"), _("Period end"), _("Question"), _("Answer")],
    )
    questions = list(programme.report_questions or [])
    for report in approved.select_related("grant__organisation").order_by(
        "grant__reference", "number"
    ):
        asked = questions + [q for q in report.narrative if q not in questions]
        for question in asked:
            answer = " ".join(str(report.narrative.get(question) or "").split())
            if not answer:
                continue
            if len(answer) > NARRATIVE_HIGHLIGHT_CHARS:
                answer = answer[: NARRATIVE_HIGHLIGHT_CHARS - 1].rstrip() + "…"
            highlights.rows.append(
                [
                    report.grant.reference,
                    report.grant.organisation.legal_name,
                    f"{report.get_kind_display()} {report.number}",
                    report.period_end,
                    question,
                    answer,
                ]
            )
    return [subgrants, payments, spending, indicators, highlights]


def _text(value) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return csv_cell(value)


def donor_export_csv(programme: Programme, start: dt.date, end: dt.date, *, viewer) -> str:
    """The donor report as one CSV: each section under its title, a blank line between."""
    out = io.StringIO()
    writer = csv.writer(out)
    for i, section in enumerate(donor_report_rows(programme, start, end, viewer=viewer)):
        if i:
            writer.writerow([])
        writer.writerow([csv_cell(section.title)])
        writer.writerow([csv_cell(h) for h in section.headers])
        for row in section.rows:
            writer.writerow([_text(v) for v in row])
    return out.getvalue()


def donor_export_xlsx(programme: Programme, start: dt.date, end: dt.date, *, viewer) -> bytes:
    """The donor report as a workbook, a sheet per section. Numbers stay numbers; every text
    cell is guarded, since openpyxl too would store text starting with "=" as a formula."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for section in donor_report_rows(programme, start, end, viewer=viewer):
        sheet = workbook.create_sheet(title=str(section.title)[:31])
        sheet.append([csv_cell(h) for h in section.headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in section.rows:
            sheet.append(
                [
                    v
                    if isinstance(v, Decimal | int | dt.date) and not isinstance(v, bool)
                    else ILLEGAL_CHARACTERS_RE.sub("", csv_cell(v))
                    for v in row
                ]
            )
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


DONOR_EXPORT_FORMATS = {"xlsx": gettext_lazy("Excel workbook (XLSX)"), "csv": "CSV"}
