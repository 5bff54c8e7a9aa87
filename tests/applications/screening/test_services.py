"""Screening and clarification through the services: who decides, with which reasons, and what is logged."""

import datetime as dt

import pytest
from django.utils import timezone

from applications.services.screening import (
    application_answer_clarification,
    application_request_clarification,
    application_screen,
)
from workflows.exceptions import NotPermitted, RuleViolation
from workflows.models import TransitionLog
from workflows.services import available_transitions


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
