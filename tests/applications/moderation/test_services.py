"""Moderation through the services: consensus on a divergent application, a reopened review."""

import pytest

from applications.services.moderation import assignment_reopen, moderation_record_consensus
from applications.services.review import review_save, review_submit
from workflows.exceptions import RuleViolation


def test_it_moderates_the_divergent_application(scheme_a_to_f, manager):
    assert {k: a.state for k, a in scheme_a_to_f.items()} == {
        "A": "reviewed",
        "B": "reviewed",
        "C": "moderation",
        "D": "reviewed",
        "E": "reviewed",
        "F": "reviewed",
    }
    criteria = {c.title: c.pk for c in scheme_a_to_f["C"].call.criteria.all()}
    with pytest.raises(RuleViolation) as exc:  # relevance changed from the mean 3.5 → reason
        moderation_record_consensus(
            application=scheme_a_to_f["C"],
            actor=manager,
            scores={
                criteria["Relevance"]: {"score": 4},
                criteria["Feasibility"]: {"score": 3.5},
                criteria["Budget"]: {"score": 7},
            },
        )
    assert list(exc.value.errors) == [f"scores.{criteria['Relevance']}.justification"]
    moderation_record_consensus(
        application=scheme_a_to_f["C"],
        actor=manager,
        scores={
            criteria["Relevance"]: {"score": 4, "justification": "Strong local need."},
            criteria["Feasibility"]: {"score": 3.5},
            criteria["Budget"]: {"score": 7},
        },
    )
    scheme_a_to_f["C"].refresh_from_db()
    assert scheme_a_to_f["C"].state == "reviewed"


def test_a_reopened_review_sends_the_application_back_into_review(scheme_a_to_f, manager):
    assignment = scheme_a_to_f["A"].assignments.first()
    assignment_reopen(assignment=assignment, actor=manager, comment="Please recheck the budget")
    scheme_a_to_f["A"].refresh_from_db()
    assert scheme_a_to_f["A"].state == "in_review"
    review_save(
        assignment=assignment,
        actor=assignment.reviewer,
        scores={assignment.application.call.criteria.first().pk: {"score": 3}},
    )
    review_submit(assignment=assignment, actor=assignment.reviewer)
    scheme_a_to_f["A"].refresh_from_db()
    assert scheme_a_to_f["A"].state == "reviewed"
