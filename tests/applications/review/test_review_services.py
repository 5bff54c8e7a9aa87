"""Scoring through the services."""

import pytest

from applications.models import ReviewAssignment
from applications.services.review import assignments_auto_assign, review_save, review_submit
from workflows.exceptions import RuleViolation


def test_blank_scores_are_never_zero(call, manager, eligible_factory, pool):
    application = eligible_factory()
    pool(2)
    assignments_auto_assign(call=call, actor=manager)
    assignment = application.assignments.first()
    from applications.services.review import assignment_declare

    assignment_declare(assignment=assignment, actor=assignment.reviewer, conflict=False)
    relevance = call.criteria.get(title="Relevance")
    review = review_save(
        assignment=assignment,
        actor=assignment.reviewer,
        scores={relevance.pk: {"score": "", "comment": "thinking"}},
    )
    assert review.scores.get().score is None
    with pytest.raises(RuleViolation) as exc:
        review_submit(assignment=assignment, actor=assignment.reviewer)
    assert f"scores.{relevance.pk}.score" in exc.value.errors
    with pytest.raises(RuleViolation) as exc:
        review_save(
            assignment=assignment,
            actor=assignment.reviewer,
            scores={relevance.pk: {"score": "4.25"}},
        )
    assert "steps of 0.5" in exc.value.errors[f"scores.{relevance.pk}.score"][0]
    assert ReviewAssignment.objects.get(pk=assignment.pk).state == "accepted"
