"""Writes of screening: clarification requests and answers, the eligibility decision."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import (
    Application,
    ClarificationRequest,
)
from applications.services.applications import (
    _locked,
    application_submit,
    application_withdraw,
)
from grants.notifications import notify_organisation
from workflows.exceptions import RuleViolation
from workflows.models import Notification
from workflows.services import transition_perform


def application_request_clarification(
    *, application: Application, actor, question: str, response_due_at
) -> ClarificationRequest:
    errors = {}
    if not (question or "").strip():
        errors["question"] = [_("Write the question for the applicant.")]
    if response_due_at is None or response_due_at <= timezone.now():
        errors["response_due_at"] = [_("The response deadline must be in the future.")]
    if errors:
        raise RuleViolation(errors)
    with transaction.atomic():
        application = _locked(application)
        transition_perform(
            obj=application, name="request_clarification", actor=actor, comment=question
        )
        clarification = ClarificationRequest.objects.create(
            application=application,
            question=question.strip(),
            response_due_at=response_due_at,
            asked_by=actor,
        )
        notify_organisation(
            Notification.Kind.CLARIFICATION_REQUESTED,
            application.organisation_id,
            key=f"clarification:{clarification.pk}",
            url=f"/applications/{application.pk}/",
            subject=f"Clarification requested: {application.reference}",
            params={"application": application.pk, "clarification": clarification.pk},
        )
    return clarification


def application_answer_clarification(
    *, application: Application, actor, answer: str
) -> Application:
    """Answer the open clarification request and resubmit."""
    if not (answer or "").strip():
        raise RuleViolation({"answer": [_("Write your answer.")]})
    with transaction.atomic():
        application = _locked(application)
        clarification = application.clarifications.filter(answered_at__isnull=True).first()
        transition_perform(obj=application, name="resubmit", actor=actor, comment=answer)
        if clarification is not None:
            clarification.answer = answer.strip()
            clarification.answered_by = actor
            clarification.answered_at = timezone.now()
            clarification.save()
    return application


def application_screen(
    *, application: Application, actor, eligible: bool, reason: str = ""
) -> Application:
    """The manager's eligibility decision; an ineligible decision needs a reason."""
    if not eligible and not (reason or "").strip():
        raise RuleViolation({"reason": [_("Say why the application is not eligible.")]})
    with transaction.atomic():
        application = _locked(application)
        name = "mark_eligible" if eligible else "mark_ineligible"
        application.eligibility_reason = reason.strip()
        application.screened_by = actor
        application.screened_at = timezone.now()
        transition_perform(obj=application, name=name, actor=actor, comment=reason)
        notify_organisation(
            Notification.Kind.ELIGIBILITY,
            application.organisation_id,
            key=f"application:{application.pk}",
            url=f"/applications/{application.pk}/",
            subject=f"Eligibility check: {application.reference}",
            params={"application": application.pk, "eligible": eligible},
        )
    return application


# Every transition of an application that a person performs, by its django-fsm name → the
# service that performs it: its API actions and `available_transitions`, and the admin, come
# from here. (Review, moderation and the award move it on by themselves.)
APPLICATION_TRANSITIONS: dict[str, Callable[..., object]] = {
    "submit": application_submit,
    "withdraw": application_withdraw,
    "request_clarification": application_request_clarification,
    "resubmit": application_answer_clarification,
    "mark_eligible": partial(application_screen, eligible=True),
    "mark_ineligible": partial(application_screen, eligible=False),
}
