import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from grants.models import ExchangeRate, Grant, Report
from grants.selectors.cascade import (
    donor_export_csv,
    donor_export_xlsx,
    donor_report_rows,
    incoming_grant_summary,
    portfolio,
    subgrant_within_donor_rules,
)
from grants.services.grants import grant_sign, tranche_approve, tranche_pay
from grants.services.reports import (
    exchange_rate_set,
    report_approve,
    report_open,
    report_save,
    report_submit,
)
from tests import factories as f
from workflows.exceptions import NotPermitted, RuleViolation

START, END = dt.date(2026, 1, 1), dt.date(2030, 12, 31)


@pytest.fixture
def indicator_1_1(programme):
    return f.indicator(programme=programme, code="1.1")


@pytest.fixture
def paid_grant(call, org_a, applicant_a, manager, approver):
    """org_a: 9,000 EUR, signed, first tranche (7,200) paid."""
    grant = grant_sign(
        grant=f.awarded_grant(call=call, organisation=org_a, manager=manager, member=applicant_a),
        actor=applicant_a,
    )
    tranche = grant.tranches.get(number=1)
    tranche_approve(tranche=tranche, actor=approver)
    tranche_pay(tranche=tranche, actor=approver, paid_on=dt.date(2027, 2, 1), reference="BANK-1")
    return grant


@pytest.fixture
def late_grant(call, org_b, applicant_b, manager):
    """org_b: 6,000 EUR, not signed, its first report overdue."""
    grant = f.awarded_grant(
        call=call, organisation=org_b, amount="6000", manager=manager, member=applicant_b
    )
    Report.objects.filter(grant=grant, number=1).update(due_date=dt.date(2020, 1, 1))
    return grant


def write(report, *, author, manager, currency="EUR", spent="0", indicators=None, answer="x"):
    report_open(report=report, actor=manager)
    report_save(
        report=report,
        actor=author,
        version=None,
        currency=currency,
        narrative={q: answer for q in report.grant.programme.report_questions},
        spending={report.grant.budget_lines.get().pk: spent},
        indicators=indicators or {},
    )
    return report_submit(report=report, actor=author)


@pytest.fixture
def approved_in_rsd(paid_grant, applicant_a, manager, indicator_1_1):
    """The interim report, 117,200 RSD spent at 117.2 (stored at approval): 1,000 EUR."""
    report = paid_grant.reports.get(number=1)
    rate = ExchangeRate.objects.create(
        programme=paid_grant.programme,
        currency="RSD",
        month=report.period_end.replace(day=1),
        rate=Decimal("117.2"),
    )
    write(
        report,
        author=applicant_a,
        manager=manager,
        currency="RSD",
        spent="117200",
        indicators={indicator_1_1.pk: "30"},
        answer="We trained thirty CSO representatives in Novi Sad.",
    )
    report_approve(report=report, actor=manager)
    # A later correction of the table does not change what was approved.
    rate.rate = Decimal("200")
    rate.save()
    return report


def test_it_lists_the_portfolio_with_paid_and_overdue(paid_grant, late_grant, manager):
    rows = {g.pk: g for g in portfolio(paid_grant.programme, viewer=manager)}
    assert (rows[paid_grant.pk].amount, rows[paid_grant.pk].paid) == (
        Decimal("9000.00"),
        Decimal("7200.00"),
    )
    assert rows[paid_grant.pk].overdue_reports == 0
    assert rows[paid_grant.pk].next_deadline == paid_grant.reports.get(number=1).due_date
    assert (rows[late_grant.pk].paid, rows[late_grant.pk].overdue_reports) == (0, 1)
    assert rows[late_grant.pk].next_deadline == dt.date(2020, 1, 1)


def test_it_does_not_multiply_sums_over_tranches_and_reports(paid_grant, manager, approver):
    second = paid_grant.tranches.get(number=2)
    Report.objects.filter(grant=paid_grant).update(due_date=dt.date(2020, 1, 1))
    (row,) = portfolio(paid_grant.programme, viewer=manager)
    assert (row.paid, row.overdue_reports) == (Decimal("7200.00"), 2)
    assert second.state == "planned"


def test_it_filters_the_portfolio(paid_grant, late_grant, manager):
    programme = paid_grant.programme
    assert [g.pk for g in portfolio(programme, viewer=manager, overdue_only=True)] == [
        late_grant.pk
    ]
    assert [g.pk for g in portfolio(programme, viewer=manager, state="contracted")] == [
        paid_grant.pk
    ]


def test_it_shows_no_portfolio_to_outsiders(paid_grant, other_manager, applicant_a):
    assert not portfolio(paid_grant.programme, viewer=other_manager).exists()
    assert not portfolio(paid_grant.programme, viewer=applicant_a).exists()


def test_it_sums_the_incoming_grant(
    programme, lead_org, paid_grant, late_grant, approved_in_rsd, manager, other_manager
):
    incoming = Grant.objects.create(
        title="EU grant", organisation=lead_org, amount=Decimal("600000"), currency="EUR"
    )
    programme.parent_grant = incoming
    programme.save()
    summary = incoming_grant_summary(incoming, viewer=manager)
    assert (
        summary.regranting_budget,
        summary.committed,
        summary.paid,
        summary.reported_spending,
        summary.remaining,
    ) == (
        Decimal("500000.00"),
        Decimal("15000.00"),
        Decimal("7200.00"),
        Decimal("1000.00"),  # 117,200 RSD at the stored 117.2, not today's 200
        Decimal("485000.00"),
    )
    assert incoming_grant_summary(incoming, viewer=other_manager) is None


def test_the_final_report_replaces_the_interims_in_reported_spending(
    programme, lead_org, paid_grant, approved_in_rsd, applicant_a, manager
):
    final = paid_grant.reports.get(kind="final")
    write(final, author=applicant_a, manager=manager, spent="2500")
    report_approve(report=final, actor=manager)
    incoming = Grant.objects.create(title="EU grant", organisation=lead_org, amount=1)
    programme.parent_grant = incoming
    programme.save()
    assert incoming_grant_summary(incoming, viewer=manager).reported_spending == Decimal("2500")


def test_it_checks_the_donors_rules(programme, lead_org):
    assert subgrant_within_donor_rules(programme, Decimal("99999"), Decimal("0")) == []
    programme.parent_grant = Grant.objects.create(
        title="EU grant",
        organisation=lead_org,
        amount=Decimal("600000"),
        max_subgrant_amount=Decimal("8000"),
        min_cofinancing_percent=Decimal("10"),
        max_cofinancing_percent=Decimal("50"),
    )
    assert subgrant_within_donor_rules(programme, Decimal("8000"), Decimal("10")) == []
    too_much = subgrant_within_donor_rules(programme, Decimal("9000"), Decimal("5"))
    assert len(too_much) == 2
    assert "maximum per sub-grant" in too_much[0] and "below" in too_much[1]
    assert "above" in subgrant_within_donor_rules(programme, Decimal("1"), Decimal("60"))[0]


def test_the_export_rolls_up_approved_values_only(
    paid_grant, approved_in_rsd, applicant_a, manager, indicator_1_1
):
    final = paid_grant.reports.get(kind="final")
    write(final, author=applicant_a, manager=manager, indicators={indicator_1_1.pk: "17"})
    sections = {
        s.key: s for s in donor_report_rows(paid_grant.programme, START, END, viewer=manager)
    }
    assert sections["indicators"].rows == [
        ["1.1", "CSO representatives trained", "", Decimal("50.00"), Decimal("30.00")]
    ]
    assert sections["spending"].rows == [
        ["Activities and events", Decimal("9000.00"), Decimal("1000.00"), "EUR"]
    ]
    (highlight,) = {tuple(r[:3]) for r in sections["narrative"].rows}
    assert highlight == (paid_grant.reference, "Youth Initiative Novi Sad", "Interim report 1")


def test_the_csv_has_every_section(paid_grant, late_grant, approved_in_rsd, manager):
    text = donor_export_csv(paid_grant.programme, START, END, viewer=manager)
    rows = list(csv.reader(io.StringIO(text)))
    assert ["Sub-grants"] in rows and ["Narrative highlights"] in rows
    recipients = {r[1] for r in rows if len(r) == 9 and r[0] != "Reference"}
    assert recipients == {"Youth Initiative Novi Sad", "Women's Network Tuzla"}
    (payment,) = [r for r in rows if "BANK-1" in r]
    assert payment[3:5] == ["2027-02-01", "7200.00"]
    assert any("We trained thirty CSO representatives in Novi Sad." in r for r in rows)


def test_the_workbook_has_a_sheet_per_section(paid_grant, approved_in_rsd, manager):
    data = donor_export_xlsx(paid_grant.programme, START, END, viewer=manager)
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == [
        "Sub-grants",
        "Payments",
        "Spending per category",
        "Indicators",
        "Narrative highlights",
    ]
    payments = list(workbook["Payments"].iter_rows(values_only=True))
    assert payments[1][2:5] == (1, dt.datetime(2027, 2, 1), 7200)
    indicators = list(workbook["Indicators"].iter_rows(values_only=True))
    assert indicators[1][3:] == (50, 30)


def test_the_exports_never_carry_a_formula(call, manager, approver):
    evil = f.OrganisationFactory(legal_name='=HYPERLINK("http://evil.example","x")')
    member = f.MembershipFactory(organisation=evil).user
    grant = grant_sign(
        grant=f.awarded_grant(call=call, organisation=evil, manager=manager, member=member),
        actor=member,
    )
    tranche = grant.tranches.get(number=1)
    tranche_approve(tranche=tranche, actor=approver)
    tranche_pay(tranche=tranche, actor=approver, paid_on=dt.date(2027, 2, 1), reference="+SUM(1)")
    text = donor_export_csv(grant.programme, START, END, viewer=manager)
    assert "'=HYPERLINK" in text and "'+SUM(1)" in text
    assert not any(
        cell.startswith(("=", "+")) for row in csv.reader(io.StringIO(text)) for cell in row
    )
    workbook = load_workbook(
        io.BytesIO(donor_export_xlsx(grant.programme, START, END, viewer=manager))
    )
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


def test_it_gives_outsiders_an_empty_report(paid_grant, other_manager):
    assert donor_report_rows(paid_grant.programme, START, END, viewer=other_manager) == []


# exchange_rate_set, in grants.services.reports, for the rates page. --------------------------


def test_it_keeps_one_rate_per_month_and_corrects_it(programme, manager):
    exchange_rate_set(
        programme=programme, actor=manager, currency="rsd", month=dt.date(2027, 7, 14), rate="117.2"
    )
    exchange_rate_set(
        programme=programme, actor=manager, currency="RSD", month=dt.date(2027, 7, 1), rate="117.3"
    )
    assert list(ExchangeRate.objects.values_list("currency", "month", "rate")) == [
        ("RSD", dt.date(2027, 7, 1), Decimal("117.300000"))
    ]


def test_only_a_manager_sets_a_rate(programme, approver, observer):
    for user in (approver, observer):
        with pytest.raises(NotPermitted):
            exchange_rate_set(
                programme=programme, actor=user, currency="RSD", month=START, rate="117"
            )


def test_it_refuses_a_rate_for_the_own_currency_or_not_positive(programme, manager):
    with pytest.raises(RuleViolation) as exc:
        exchange_rate_set(programme=programme, actor=manager, currency="EUR", month=START, rate="0")
    assert set(exc.value.errors) == {"currency", "rate"}
