import datetime as dt
import threading
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection

from applications.models import Application, BudgetLine
from applications.services.applications import application_submit, application_update
from grants.models import Call, CallQuestion
from tests import factories as f
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.models import TransitionLog

BELGRADE = ZoneInfo("Europe/Belgrade")


def _snapshot(application: Application) -> dict:
    application.refresh_from_db()
    return {
        "state": application.state,
        "title": application.title,
        "reference": application.reference,
        "answers": sorted(application.answers.values_list("question_id", "value")),
        "lines": sorted(
            application.budget_lines.values_list(
                "description", "amount_requested", "own_contribution"
            )
        ),
    }


def test_it_submits_a_complete_draft(draft, applicant_a):
    application = application_submit(application=draft, actor=applicant_a)

    assert application.state == Application.State.SUBMITTED
    assert application.reference == f"NAT-{application.submitted_at:%Y}-{application.pk:05d}"
    log = TransitionLog.objects.for_object(application).get()
    assert (log.from_state, log.to_state, log.actor) == ("draft", "submitted", applicant_a)


def test_it_emails_a_receipt_to_the_members(
    draft, applicant_a, colleague_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = application_submit(application=draft, actor=applicant_a)

    # One e-mail per member, each in that member's own language and time zone.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([applicant_a.email, colleague_a.email])
    assert all(application.reference in m.subject for m in mail.outbox)
    assert all(f"/applications/{application.pk}/receipt/" in m.body for m in mail.outbox)


def test_it_refuses_a_second_submit(draft, applicant_a):
    application_submit(application=draft, actor=applicant_a)

    with pytest.raises(TransitionConflict) as exc:
        application_submit(application=draft, actor=applicant_a)

    assert exc.value.code == "already_submitted"
    assert TransitionLog.objects.for_object(draft).count() == 1


def test_it_refuses_an_outsider(draft, applicant_b, manager):
    for outsider in (applicant_b, manager):
        with pytest.raises(NotPermitted):
            application_submit(application=draft, actor=outsider)
    assert _snapshot(draft)["state"] == "draft"


def test_it_refuses_a_late_submission_and_keeps_the_draft(draft, applicant_a):
    before = _snapshot(draft)
    Call.objects.filter(pk=draft.call_id).update(
        opens_at=dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC),
        closes_at=dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC),
    )

    with pytest.raises(TransitionConflict) as exc:
        application_submit(application=draft, actor=applicant_a)

    assert exc.value.code == "call_closed"
    assert "Your draft is kept" in exc.value.detail
    assert "Europe/Belgrade" in exc.value.detail
    assert _snapshot(draft) == before


def test_it_refuses_when_the_call_was_closed_by_hand(draft, applicant_a, manager):
    from grants.services.calls import call_close

    call_close(call=draft.call, actor=manager)

    with pytest.raises(TransitionConflict) as exc:
        application_submit(application=draft, actor=applicant_a)
    assert exc.value.code == "call_closed"


def test_it_lists_every_failed_rule_at_once(call, org_a, applicant_a):
    org_a.country = "DE"
    org_a.org_type = "public_body"
    org_a.save()
    application = f.ApplicationFactory(call=call, organisation=org_a, created_by=applicant_a)
    f.BudgetLineFactory(
        application=application, amount_requested=Decimal("50000"), own_contribution=Decimal("0")
    )
    before = _snapshot(application)

    with pytest.raises(RuleViolation) as exc:
        application_submit(application=application, actor=applicant_a)

    assert set(exc.value.errors) == {"country", "org_type", "amount", "cofinancing", "questions"}
    assert "Project summary" in " ".join(exc.value.errors["questions"])
    assert "Number of participants" in " ".join(exc.value.errors["questions"])
    assert "the call requires 10%" in exc.value.errors["cofinancing"][0]
    assert _snapshot(application) == before


def test_it_requires_a_required_document(call, draft, applicant_a):
    f.CallQuestionFactory(call=call, label="Signed declaration", kind=CallQuestion.Kind.FILE)

    with pytest.raises(RuleViolation) as exc:
        application_submit(application=draft, actor=applicant_a)

    assert list(exc.value.errors) == ["documents"]
    assert "Signed declaration" in exc.value.errors["documents"][0]


@pytest.mark.parametrize(
    ("requested", "own", "failing"),
    [
        ("4999.99", "1000.00", {"amount"}),  # below the minimum grant
        ("5000.00", "555.56", set()),  # at the minimum, 10.0000 % co-financing
        ("20000.00", "2222.23", set()),  # at the maximum
        ("20000.01", "5000.00", {"amount"}),  # above the maximum
        ("9000.00", "999.99", {"cofinancing"}),  # 9.99990 % < 10 %: no rounding up
        ("9000.00", "1000.00", set()),  # exactly 10 %
    ],
)
def test_it_checks_amounts_and_cofinancing_exactly(
    call, org_a, applicant_a, requested, own, failing
):
    application = f.complete_application(call=call, organisation=org_a, created_by=applicant_a)
    BudgetLine.objects.filter(application=application).update(
        amount_requested=Decimal(requested), own_contribution=Decimal(own)
    )

    if failing:
        with pytest.raises(RuleViolation) as exc:
            application_submit(application=application, actor=applicant_a)
        assert set(exc.value.errors) == failing
    else:
        assert application_submit(application=application, actor=applicant_a).state == "submitted"


def test_it_enforces_answer_length_limits(call, draft, applicant_a):
    summary = call.questions.get(label="Project summary")
    application_update(
        application=draft, actor=applicant_a, version=draft.version, answers={summary.pk: "x" * 501}
    )

    with pytest.raises(RuleViolation) as exc:
        application_submit(application=draft, actor=applicant_a)

    assert "501 characters" in exc.value.errors["questions"][0]
    assert draft.answers.get(question=summary).value == "x" * 501  # the draft keeps it


class TestDeadlineToTheSecond:
    """The closing second is the last one accepted; the server's clock decides, the call's time
    zone defines the local deadline — also on a day with 23 or 25 hours."""

    @pytest.mark.parametrize(
        ("local_deadline", "last_ok_utc"),
        [
            # 28 March 2027: clocks go 02:00 CET → 03:00 CEST; noon is 10:00 UTC, not 11:00.
            (dt.datetime(2027, 3, 28, 12, 0, 0), dt.datetime(2027, 3, 28, 10, 0, 0, tzinfo=dt.UTC)),
            # 31 October 2027: clocks go 03:00 CEST → 02:00 CET; noon is 11:00 UTC.
            (
                dt.datetime(2027, 10, 31, 12, 0, 0),
                dt.datetime(2027, 10, 31, 11, 0, 0, tzinfo=dt.UTC),
            ),
            # The repeated hour: 02:30 happens twice; fold=0 is the first (CEST, 00:30 UTC).
            (
                dt.datetime(2027, 10, 31, 2, 30, 0),
                dt.datetime(2027, 10, 31, 0, 30, 0, tzinfo=dt.UTC),
            ),
        ],
    )
    def test_it_accepts_the_closing_second_and_refuses_the_next(
        self, call, org_a, applicant_a, local_deadline, last_ok_utc
    ):
        closes_at = local_deadline.replace(tzinfo=BELGRADE)
        Call.objects.filter(pk=call.pk).update(
            opens_at=closes_at - dt.timedelta(days=60), closes_at=closes_at
        )
        on_time = f.complete_application(call=call, organisation=org_a, created_by=applicant_a)
        late = f.complete_application(call=call, organisation=org_a, created_by=applicant_a)

        with time_machine.travel(last_ok_utc + dt.timedelta(microseconds=999_999), tick=False):
            assert application_submit(application=on_time, actor=applicant_a).state == "submitted"
        with (
            time_machine.travel(last_ok_utc + dt.timedelta(seconds=1), tick=False),
            pytest.raises(TransitionConflict) as exc,
        ):
            application_submit(application=late, actor=applicant_a)
        assert exc.value.code == "call_closed"
        local = closes_at.strftime("%H:%M:%S")
        assert local in exc.value.detail
        late.refresh_from_db()
        assert late.state == "draft"

    def test_it_refuses_before_the_call_opens(self, call, draft, applicant_a):
        Call.objects.filter(pk=call.pk).update(
            opens_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
            closes_at=dt.datetime(2030, 2, 1, tzinfo=dt.UTC),
        )
        with pytest.raises(TransitionConflict) as exc:
            application_submit(application=draft, actor=applicant_a)
        assert "opens" in exc.value.detail


@pytest.mark.django_db(transaction=True)
def test_it_submits_once_when_two_submits_race(call, org_a, applicant_a, colleague_a):
    """Two members press submit at the same moment: the row lock lets exactly one through."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers anyway")
    application = f.complete_application(call=call, organisation=org_a, created_by=applicant_a)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def press(actor):
        from django.db import connection as thread_connection

        barrier.wait()
        try:
            application_submit(application=Application.objects.get(pk=application.pk), actor=actor)
            outcomes.append("submitted")
        except TransitionConflict as exc:
            outcomes.append(exc.code)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=press, args=(who,)) for who in (applicant_a, colleague_a)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["already_submitted", "submitted"]
    assert TransitionLog.objects.for_object(application).filter(transition="submit").count() == 1
    application.refresh_from_db()
    assert application.state == "submitted" and application.reference
