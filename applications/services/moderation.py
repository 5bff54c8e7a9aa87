"""Writes of moderation: reopening a submitted review, recording consensus scores."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.utils.translation import gettext as _

from applications.models import Application, ConsensusScore, ReviewAssignment
from applications.services.review import (
    assignment_declare,
    assignment_decline,
    review_submit,
    score_parse,
)
from grants import policies as grant_policies
from workflows.exceptions import RuleViolation, TransitionConflict
from workflows.permissions import require
from workflows.services import transition_perform


def assignment_reopen(
    *, assignment: ReviewAssignment, actor, comment: str = ""
) -> ReviewAssignment:
    """A moderator reopens a submitted review; the application goes back into review."""
    with transaction.atomic():
        assignment = (
            ReviewAssignment.objects.select_for_update()
            .select_related("application__call")
            .get(pk=assignment.pk)
        )
        transition_perform(obj=assignment, name="reopen", actor=actor, comment=comment)
        application = Application.objects.select_for_update().get(pk=assignment.application_id)
        if application.state in (Application.State.REVIEWED, Application.State.MODERATION):
            transition_perform(obj=application, name="resume_review", actor=actor, comment=comment)
    return assignment


# Every transition of a review assignment, by its django-fsm name → the service that performs it
# (here, as reopening is the moderator's): its API actions and `available_transitions`, and the
# admin, come from here.
ASSIGNMENT_TRANSITIONS: dict[str, Callable[..., ReviewAssignment]] = {
    "declare_no_conflict": partial(assignment_declare, conflict=False),
    "declare_conflict": partial(assignment_declare, conflict=True),
    "decline": assignment_decline,
    "submit": review_submit,
    "reopen": assignment_reopen,
}

# The API's action for a transition, where the names differ: both declarations are one action,
# POST …/declare/ with {"conflict": …}.
ASSIGNMENT_ACTIONS = {"declare_no_conflict": "declare", "declare_conflict": "declare"}


def moderation_record_consensus(
    *, application: Application, actor, scores: Mapping[int, Mapping]
) -> Application:
    """Record consensus scores; a justification is required for every criterion whose score
    differs from the mean of the reviews."""
    from applications.selectors.ranking import criterion_means

    with transaction.atomic():
        application = (
            Application.objects.select_for_update().select_related("call").get(pk=application.pk)
        )
        require(grant_policies.can_manage_call, user=actor, call=application.call)
        if application.state != Application.State.MODERATION:
            raise TransitionConflict(
                _("This application is not in moderation."), code="invalid_state"
            )
        criteria = {c.pk: c for c in application.call.criteria.all()}
        means = criterion_means(application.pk)
        errors: dict[str, list[str]] = {}
        rows = []
        for criterion_id, criterion in criteria.items():
            entry = scores.get(criterion_id) or scores.get(str(criterion_id)) or {}
            value = score_parse(entry.get("score"), criterion, application.call.score_step, errors)
            if value is None:
                errors.setdefault(f"scores.{criterion_id}.score", []).append(
                    _("Give a consensus score for “%(c)s”.") % {"c": criterion.title}
                )
                continue
            justification = (entry.get("justification") or "").strip()
            mean = means.get(criterion_id)
            if (mean is None or value != mean.quantize(Decimal("0.01"))) and not justification:
                errors.setdefault(f"scores.{criterion_id}.justification", []).append(
                    _("Justify the change of “%(c)s”.") % {"c": criterion.title}
                )
            rows.append(
                ConsensusScore(
                    application=application,
                    criterion=criterion,
                    score=value,
                    justification=justification or _("Mean of the reviews."),
                    moderator=actor,
                )
            )
        if errors:
            raise RuleViolation(errors)
        ConsensusScore.objects.filter(application=application).delete()
        ConsensusScore.objects.bulk_create(rows)
        transition_perform(obj=application, name="resolve_moderation", actor=actor)
    return application
