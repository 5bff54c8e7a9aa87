import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from applications.services.applications import application_submit, application_withdraw
from applications.services.screening import (
    application_answer_clarification,
    application_request_clarification,
    application_screen,
)
from grants.models import Call
from grants.services.calls import call_close, call_publish, call_update, calls_close_due
from tests import factories as f
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.models import TransitionLog
from workflows.services import available_transitions


@pytest.fixture
def submitted(draft, applicant_a):
    return application_submit(application=draft, actor=applicant_a)


class TestScreening:
    def test_it_marks_eligible_and_logs_who(self, submitted, manager):
        application = application_screen(application=submitted, actor=manager, eligible=True)
        assert application.state == "eligible"
        assert application.screened_by == manager
        assert TransitionLog.objects.for_object(application).last().actor == manager

    def test_it_needs_a_reason_to_mark_ineligible(self, submitted, manager):
        with pytest.raises(RuleViolation):
            application_screen(application=submitted, actor=manager, eligible=False)
        application = application_screen(
            application=submitted, actor=manager, eligible=False, reason="Registered in 2026"
        )
        assert (application.state, application.eligibility_reason) == (
            "ineligible",
            "Registered in 2026",
        )

    @pytest.mark.parametrize("who", ["other_manager", "applicant_a", "approver", "observer"])
    def test_it_refuses_anyone_but_the_programme_manager(self, request, submitted, who):
        with pytest.raises(NotPermitted):
            application_screen(
                application=submitted, actor=request.getfixturevalue(who), eligible=True
            )
        submitted.refresh_from_db()
        assert submitted.state == "submitted"

    def test_it_offers_transitions_by_role(self, submitted, manager, applicant_a, applicant_b):
        assert set(available_transitions(submitted, manager)) == {
            "request_clarification",
            "mark_eligible",
            "mark_ineligible",
        }
        assert available_transitions(submitted, applicant_a) == ["withdraw"]
        assert available_transitions(submitted, applicant_b) == []


class TestClarification:
    def test_it_asks_and_the_applicant_answers_and_resubmits(self, submitted, manager, applicant_a):
        due = timezone.now() + dt.timedelta(days=3)
        application_request_clarification(
            application=submitted,
            actor=manager,
            question="Which municipalities?",
            response_due_at=due,
        )
        submitted.refresh_from_db()
        assert submitted.state == "clarification_requested"

        application = application_answer_clarification(
            application=submitted, actor=applicant_a, answer="Tuzla and Bihać."
        )

        assert application.state == "submitted"
        clarification = application.clarifications.get()
        assert (clarification.answer, clarification.answered_by) == (
            "Tuzla and Bihać.",
            applicant_a,
        )
        assert [log.transition for log in TransitionLog.objects.for_object(application)] == [
            "submit",
            "request_clarification",
            "resubmit",
        ]

    def test_it_needs_a_question_and_a_future_deadline(self, submitted, manager):
        with pytest.raises(RuleViolation) as exc:
            application_request_clarification(
                application=submitted,
                actor=manager,
                question=" ",
                response_due_at=timezone.now() - dt.timedelta(minutes=1),
            )
        assert set(exc.value.errors) == {"question", "response_due_at"}


class TestWithdraw:
    def test_it_withdraws_before_a_decision(self, submitted, applicant_a):
        assert application_withdraw(application=submitted, actor=applicant_a).state == "withdrawn"

    def test_it_refuses_to_withdraw_twice(self, submitted, applicant_a):
        application_withdraw(application=submitted, actor=applicant_a)
        with pytest.raises(TransitionConflict):
            application_withdraw(application=submitted, actor=applicant_a)

    def test_the_manager_cannot_withdraw_for_the_applicant(self, submitted, manager):
        with pytest.raises(NotPermitted):
            application_withdraw(application=submitted, actor=manager)


class TestCallRules:
    def test_it_freezes_the_rules_once_published(self, call, manager):
        with pytest.raises(RuleViolation) as exc:
            call_update(
                call=call,
                actor=manager,
                max_grant=Decimal("30000"),
                min_cofinancing_percent=Decimal("5"),
                eligible_countries=["RS"],
            )
        assert set(exc.value.errors) == {
            "max_grant",
            "min_cofinancing_percent",
            "eligible_countries",
        }
        call.refresh_from_db()
        assert call.max_grant == Decimal("20000.00")

    def test_it_allows_an_extension_but_not_a_shorter_deadline(self, call, manager):
        later = call.closes_at + dt.timedelta(days=7)
        assert call_update(call=call, actor=manager, closes_at=later).closes_at == later
        with pytest.raises(RuleViolation) as exc:
            call_update(call=call, actor=manager, closes_at=later - dt.timedelta(days=1))
        assert "extended, not shortened" in exc.value.errors["closes_at"][0]

    def test_it_edits_anything_while_draft(self, programme, manager):
        draft_call = f.CallFactory(programme=programme, state=Call.State.DRAFT)
        updated = call_update(call=draft_call, actor=manager, max_grant=Decimal("25000"))
        assert updated.max_grant == Decimal("25000")

    def test_it_refuses_another_programmes_manager(self, call, other_manager):
        with pytest.raises(NotPermitted):
            call_update(call=call, actor=other_manager, title="Hijacked")

    def test_it_refuses_to_publish_a_call_whose_deadline_passed(self, programme, manager):
        stale = f.CallFactory(
            programme=programme,
            state=Call.State.DRAFT,
            opens_at=timezone.now() - dt.timedelta(days=10),
            closes_at=timezone.now() - dt.timedelta(days=1),
        )
        with pytest.raises(TransitionConflict):
            call_publish(call=stale, actor=manager)
        draft_call = f.CallFactory(programme=programme, state=Call.State.DRAFT)
        assert call_publish(call=draft_call, actor=manager).state == "open"


class TestDeadlineSweep:
    def test_it_closes_due_calls_once(self, call, capsys):
        Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=2))
        call_command("deadline_sweep")
        call_command("deadline_sweep")
        assert capsys.readouterr().out.splitlines() == [
            "calls closed: 1",
            "reports opened: 0",
            "reminders: 0 new, 0 cancelled, 0 re-queued, 0 enqueued, 0 daily digests",
            "calls closed: 0",
            "reports opened: 0",
            "reminders: 0 new, 0 cancelled, 0 re-queued, 0 enqueued, 0 daily digests",
        ]
        log = TransitionLog.objects.for_object(call).get()
        assert (log.transition, log.actor, log.to_state) == ("close", None, "closed")

    def test_it_leaves_a_call_open_during_its_closing_second(self, call):
        moment = call.closes_at + dt.timedelta(microseconds=500_000)
        assert calls_close_due(now=moment) == 0
        assert calls_close_due(now=call.closes_at + dt.timedelta(seconds=1)) == 1

    def test_a_closed_call_can_be_closed_only_once(self, call, manager):
        call_close(call=call, actor=manager)
        with pytest.raises(TransitionConflict):
            call_close(call=call, actor=manager)


def test_the_transition_log_is_append_only(submitted):
    log = TransitionLog.objects.for_object(submitted).get()
    log.comment = "rewritten"
    with pytest.raises(TypeError):
        log.save()
    with pytest.raises(TypeError):
        log.delete()
    with pytest.raises(TypeError):
        TransitionLog.objects.all().delete()
    with pytest.raises(TypeError):
        TransitionLog.objects.update(comment="x")
