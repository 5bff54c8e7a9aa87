import pytest
from django.http import Http404

from applications.models import Application, ReviewAssignment
from applications.selectors.review import (
    application_for_reviewer,
    assignment_for_reviewer,
    assignments_of_reviewer,
    other_reviews_for,
)
from applications.services.review import assignment_declare, assignments_auto_assign
from grants.models import Call
from tests import factories as f


@pytest.fixture
def auto_assigned(call, manager, eligible_factory, pool):
    application = eligible_factory()
    first, second, outsider = pool(3)
    Call.objects.filter(pk=call.pk).update(reviewers_per_application=2)
    assignments_auto_assign(call=call, actor=manager)
    return application, first, second, outsider


def test_a_reviewer_sees_only_their_assignments(auto_assigned):
    application, first, _second, outsider = auto_assigned
    mine = application.assignments.get(reviewer=first)
    assert list(assignments_of_reviewer(first)) == [mine]
    assert list(assignments_of_reviewer(outsider)) == []
    with pytest.raises(Http404):  # the selector answers "not found" for someone else's
        assignment_for_reviewer(outsider, mine.pk)


def test_the_content_opens_only_after_declaring_no_conflict(auto_assigned):
    application, first, _second, _outsider = auto_assigned
    mine = application.assignments.get(reviewer=first)
    with pytest.raises(Application.DoesNotExist):
        application_for_reviewer(mine)
    assignment_declare(assignment=mine, actor=first, conflict=False)
    mine.refresh_from_db()
    assert application_for_reviewer(mine).pk == application.pk


def test_a_recused_reviewer_never_sees_the_content(auto_assigned):
    application, first, _second, _outsider = auto_assigned
    mine = application.assignments.get(reviewer=first)
    assignment_declare(assignment=mine, actor=first, conflict=True, reason="Former employee")
    mine.refresh_from_db()
    with pytest.raises(Application.DoesNotExist):
        application_for_reviewer(mine)


def test_other_reviews_show_only_after_submitting_your_own(auto_assigned, call):
    application, first, second, _outsider = auto_assigned
    a1 = application.assignments.get(reviewer=first)
    a2 = application.assignments.get(reviewer=second)
    f.score(a2, {"Relevance": 4, "Feasibility": 3})
    a1.refresh_from_db()
    assignment_declare(assignment=a1, actor=first, conflict=False)
    a1.refresh_from_db()
    assert other_reviews_for(a1) == []  # not before their own is in
    f.score(a1, {"Relevance": 3, "Feasibility": 3})
    a1.refresh_from_db()
    assert [r.assignment_id for r in other_reviews_for(a1)] == [a2.pk]
    Call.objects.filter(pk=call.pk).update(other_reviews_visible="never")
    a1 = ReviewAssignment.objects.select_related("application__call").get(pk=a1.pk)
    assert other_reviews_for(a1) == []


def test_the_reviewer_dashboard_takes_a_pinned_number_of_queries(
    call, manager, eligible_factory, pool, django_assert_num_queries
):
    reviewer = pool(1)[0]
    Call.objects.filter(pk=call.pk).update(reviewers_per_application=1)
    eligible_factory()
    assignments_auto_assign(call=call, actor=manager)
    with django_assert_num_queries(1):
        rows = list(assignments_of_reviewer(reviewer))
    for _ in range(5):
        eligible_factory()
    assignments_auto_assign(call=call, actor=manager)
    with django_assert_num_queries(1):
        rows = list(assignments_of_reviewer(reviewer))
        assert [r.application.call.title for r in rows]
    assert len(rows) == 6


def test_the_dashboard_counts_scored_criteria_once(call, manager, eligible_factory, pool):
    from applications.services.review import assignment_declare, review_save

    reviewer = pool(1)[0]
    Call.objects.filter(pk=call.pk).update(reviewers_per_application=1)
    application = eligible_factory()
    assignments_auto_assign(call=call, actor=manager)
    assignment = application.assignments.get()
    assignment_declare(assignment=assignment, actor=reviewer, conflict=False)
    relevance = call.criteria.get(title="Relevance")
    review_save(assignment=assignment, actor=reviewer, scores={relevance.pk: {"score": 4}})
    row = assignments_of_reviewer(reviewer).get()
    assert (row.scored, row.criteria_count) == (1, 2)
