import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection

from applications.services.applications import application_submit
from grants.models import ExchangeRate, Grant, Indicator, Report, Tranche
from grants.selectors.reports import financial_statement, indicator_rollup
from grants.services.amendments import amendment_decide, amendment_request
from grants.services.grants import (
    grant_create_from_application,
    grant_sign,
    reporting_schedule,
    tranche_amounts,
    tranche_approve,
    tranche_pay,
)
from grants.services.reports import (
    report_approve,
    report_open,
    report_request_changes,
    report_save,
    report_submit,
)
from tests import factories as f
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict


@pytest.fixture
def grant(call, draft, applicant_a, manager):
    call.tranche_template = [
        {"percent": 40, "trigger": "signature"},
        {"percent": 40, "trigger": "report:1"},
        {"percent": 20, "trigger": "final_report"},
    ]
    call.save()
    application = application_submit(application=draft, actor=applicant_a)
    return grant_create_from_application(
        application=application, amount=Decimal("9000"), actor=manager
    )


@pytest.fixture
def indicator(programme):
    return Indicator.objects.create(
        programme=programme, name="CSO representatives trained", target=50
    )


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


def test_tranches_always_add_up_to_the_grant():
    parts = tranche_amounts(
        Decimal("1000.01"), [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    )
    assert sum(parts) == Decimal("1000.01")


def test_it_creates_the_grant_with_budget_tranches_and_reports(grant):
    assert grant.state == "awarded"
    assert sum(line.amount for line in grant.budget_lines.all()) == Decimal("9000")
    assert [(t.percent, t.amount, t.trigger) for t in grant.tranches.all()] == [
        (Decimal("40"), Decimal("3600.00"), "signature"),
        (Decimal("40"), Decimal("3600.00"), "report"),
        (Decimal("20"), Decimal("1800.00"), "report"),
    ]
    reports = list(grant.reports.all())
    assert [r.kind for r in reports] == ["interim", "final"]
    assert grant.tranches.get(number=2).trigger_report == reports[0]
    assert grant.tranches.get(number=3).trigger_report == reports[1]


def test_only_an_authorised_member_signs_and_the_first_tranche_becomes_due(
    grant, applicant_a, colleague_a
):
    with pytest.raises(NotPermitted):
        grant_sign(grant=grant, actor=colleague_a)  # a plain member, not an administrator
    grant_sign(grant=grant, actor=applicant_a)
    grant.refresh_from_db()
    assert (grant.state, grant.signed_by) == ("contracted", applicant_a)
    assert list(grant.tranches.values_list("state", flat=True)) == ["due", "planned", "planned"]


def test_the_interim_report_round_trip_releases_the_second_tranche(
    grant, applicant_a, manager, approver, indicator
):
    grant_sign(grant=grant, actor=applicant_a)
    interim = grant.reports.get(number=1)
    report_open(report=interim, actor=manager)
    line = grant.budget_lines.first()
    questions = grant.programme.report_questions
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

    second = grant.tranches.get(number=2)
    assert second.state == "due" and second.made_due_by is None
    tranche_approve(tranche=second, actor=approver)
    tranche_pay(tranche=second, actor=approver, paid_on=dt.date(2027, 8, 1), reference="BANK-2")
    second.refresh_from_db()
    assert (second.state, second.paid_amount) == ("paid", Decimal("3600.00"))


def test_a_report_cannot_be_approved_by_its_authors_organisation(
    grant, applicant_a, manager, org_a
):
    f.MembershipFactory(user=manager, organisation=org_a, role="member")
    from grants.policies import forget_roles

    forget_roles(manager)
    interim = grant.reports.get(number=1)
    report_open(report=interim, actor=manager)
    report_save(
        report=interim,
        actor=applicant_a,
        version=None,
        narrative={q: "x" for q in grant.programme.report_questions},
    )
    report_submit(report=interim, actor=applicant_a)
    with pytest.raises(NotPermitted):
        report_approve(report=interim, actor=manager)
    interim.refresh_from_db()
    assert interim.state == "submitted"


def test_the_maker_of_a_due_tranche_cannot_approve_it(grant, manager, approver):
    tranche = grant.tranches.get(number=3)
    Tranche.objects.filter(pk=tranche.pk).update(trigger="manual")
    from grants.services.grants import tranche_make_due

    tranche_make_due(tranche=tranche, actor=manager)
    with pytest.raises(NotPermitted):
        tranche_approve(tranche=tranche, actor=manager)
    with pytest.raises(IntegrityError):
        Tranche.objects.filter(pk=tranche.pk).update(approved_by=manager)


def test_the_statement_converts_and_warns_beyond_the_flexibility(grant, applicant_a, manager):
    report = grant.reports.get(number=1)
    report_open(report=report, actor=manager)
    line = grant.budget_lines.get()  # budget 9000 EUR, flexibility 10 %
    ExchangeRate.objects.create(
        programme=grant.programme,
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


def test_the_rollup_sums_only_approved_values(grant, applicant_a, manager, indicator, programme):
    interim, final = grant.reports.all()
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


def test_the_donors_maximum_per_sub_grant_is_enforced(
    call, draft, applicant_a, manager, programme, lead_org
):
    programme.parent_grant = Grant.objects.create(
        title="EU grant to the lead",
        organisation=lead_org,
        amount=Decimal("500000"),
        max_subgrant_amount=Decimal("8000"),
    )
    programme.save()
    application = application_submit(application=draft, actor=applicant_a)
    with pytest.raises(TransitionConflict) as exc:
        grant_create_from_application(
            application=application, amount=Decimal("9000"), actor=manager
        )
    assert exc.value.code == "above_subgrant_maximum"
    assert grant_create_from_application(
        application=application, amount=Decimal("8000"), actor=manager
    )


def test_an_approved_amendment_changes_the_grant_and_keeps_the_old_values(
    grant, applicant_a, manager
):
    new_end = grant.end_date + dt.timedelta(days=90)
    amendment = amendment_request(
        grant=grant,
        actor=applicant_a,
        kind="extension",
        justification="Floods delayed the workshops.",
        changes={"end_date": new_end.isoformat()},
    )
    old_end = grant.end_date
    amendment_decide(amendment=amendment, actor=manager, approve=True)
    grant.refresh_from_db()
    amendment.refresh_from_db()
    assert grant.end_date == new_end
    assert amendment.previous == {"end_date": old_end.isoformat()}
    assert grant.reports.get(kind="final").period_end == new_end


def test_a_reallocation_keeps_the_total(grant, applicant_a):
    line = grant.budget_lines.get()
    with pytest.raises(RuleViolation):
        amendment_request(
            grant=grant,
            actor=applicant_a,
            kind="budget",
            justification="More venues",
            changes={"lines": {str(line.pk): "9500"}},
        )


@pytest.mark.django_db(transaction=True)
def test_two_racing_payments_pay_once(call, draft, applicant_a, manager, approver):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    application = application_submit(application=draft, actor=applicant_a)
    grant = grant_create_from_application(
        application=application, amount=Decimal("9000"), actor=manager
    )
    grant_sign(grant=grant, actor=applicant_a)
    tranche = grant.tranches.get(number=1)
    tranche_approve(tranche=tranche, actor=approver)
    barrier = threading.Barrier(2)
    outcomes = []

    def pay(reference):
        from django.db import connection as thread_connection

        barrier.wait()
        try:
            tranche_pay(
                tranche=tranche, actor=approver, paid_on=dt.date(2027, 2, 1), reference=reference
            )
            outcomes.append("paid")
        except TransitionConflict as exc:
            outcomes.append(exc.code)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=pay, args=(ref,)) for ref in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["invalid_state", "paid"]
    assert sum(t.paid_amount or 0 for t in Tranche.objects.filter(grant=grant)) <= grant.amount


def test_payments_never_exceed_the_grant(grant, applicant_a, approver, manager):
    grant_sign(grant=grant, actor=applicant_a)
    first, _second, third = grant.tranches.all()
    tranche_approve(tranche=first, actor=approver)
    tranche_pay(tranche=first, actor=approver, paid_on=dt.date(2027, 2, 1))
    # A tranche whose amount was inflated behind the service's back still cannot overpay.
    Tranche.objects.filter(pk=third.pk).update(amount=Decimal("6000"), trigger="manual")
    from grants.services.grants import tranche_make_due

    tranche_make_due(tranche=third, actor=manager)
    tranche_approve(tranche=third, actor=approver)
    with pytest.raises(TransitionConflict) as exc:
        tranche_pay(tranche=third, actor=approver, paid_on=dt.date(2027, 2, 2))
    assert exc.value.code == "above_grant"
    tranche_pay(tranche=third, actor=approver, paid_on=dt.date(2027, 2, 2), amount="5400")
    assert sum(t.paid_amount or 0 for t in grant.tranches.all()) == Decimal("9000")


def test_an_approved_final_report_replaces_the_interims_in_the_rollup(
    grant, applicant_a, manager, indicator, programme
):
    interim, final = grant.reports.all()
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


def test_the_sweep_opens_reports_whose_period_ended_once(grant):
    from grants.services.reports import reports_open_due

    interim = grant.reports.get(number=1)
    assert reports_open_due(today=interim.period_end) == 0  # the last day still belongs to it
    assert reports_open_due(today=interim.period_end + dt.timedelta(days=1)) == 1
    assert reports_open_due(today=interim.period_end + dt.timedelta(days=1)) == 0
    interim.refresh_from_db()
    assert interim.state == "open"
    assert grant.reports.get(number=2).state == "scheduled"


def test_the_agreement_writes_percentages_and_categories_for_people(grant):
    from grants.agreement import agreement_pdf

    pdf = agreement_pdf(grant)
    assert b"E+1" not in pdf and b"E+" not in pdf
    assert b"(Activities and" in pdf  # the category's name (wrapped), not its code
    assert b"(activities)" not in pdf


def test_the_grant_gets_a_public_summary_and_the_agreement_names_the_partners(
    call, draft, applicant_a, manager, org_b, client
):
    f.PartnerFactory(application=draft, organisation=org_b)
    summary_question = call.questions.get(label="Project summary")
    draft.answers.filter(question=summary_question).update(
        value="Street law clinics in four towns."
    )
    application = application_submit(application=draft, actor=applicant_a)
    grant = grant_create_from_application(
        application=application, amount=Decimal("9000"), actor=manager
    )
    assert grant.summary == "Street law clinics in four towns."

    from grants.agreement import agreement_pdf

    assert org_b.legal_name.encode() in agreement_pdf(grant).replace(b"\\'", b"'")

    from grants.services.grants import grant_summary_update

    with pytest.raises(NotPermitted):
        grant_summary_update(grant=grant, actor=applicant_a, summary="x")
    client.force_login(manager)
    response = client.post(f"/manage/grants/{grant.pk}/summary/", {"summary": "Legal aid clinics."})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.summary == "Legal aid clinics."


@pytest.mark.parametrize(
    ("who", "status"), [("other_manager", 404), ("applicant_b", 404), ("observer", 403)]
)
def test_only_the_manager_edits_the_public_summary(request, grant, client, who, status):
    client.force_login(request.getfixturevalue(who))
    response = client.post(f"/manage/grants/{grant.pk}/summary/", {"summary": "Hijacked"})
    assert response.status_code == status
    grant.refresh_from_db()
    assert grant.summary != "Hijacked"
