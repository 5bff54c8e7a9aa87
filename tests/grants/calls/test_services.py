"""Calls through the services: rules frozen once published, the transitions, and the deadline
sweep that closes due calls."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from grants.models import Call
from grants.services.calls import call_close, call_publish, call_update, calls_close_due
from tests import factories as f
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.models import TransitionLog


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
