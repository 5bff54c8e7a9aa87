import pytest

from applications.models import ReviewAssignment
from applications.services.review import (
    assignment_create,
    assignment_declare,
    assignments_auto_assign,
)
from grants.models import Call
from tests import factories as f
from workflows.exceptions import NotPermitted, RuleViolation
from workflows.models import TransitionLog


def _loads(call):
    loads = {}
    for reviewer_id in ReviewAssignment.objects.filter(application__call=call).values_list(
        "reviewer_id", flat=True
    ):
        loads[reviewer_id] = loads.get(reviewer_id, 0) + 1
    return loads


def test_it_assigns_n_reviewers_balanced_and_deterministic(call, manager, eligible_factory, pool):
    Call.objects.filter(pk=call.pk).update(reviewers_per_application=3)
    call.refresh_from_db()
    apps = [eligible_factory() for _ in range(7)]
    reviewers = pool(5)

    created = assignments_auto_assign(call=call, actor=manager)

    assert created == 21
    for app in apps:
        assert app.assignments.count() == 3
        app.refresh_from_db()
        assert app.state == "in_review"
    loads = _loads(call)
    assert max(loads.values()) - min(loads.values()) <= 1
    first = sorted(ReviewAssignment.objects.values_list("application_id", "reviewer_id"))
    # Deterministic: the same input gives the same assignment.
    ReviewAssignment.objects.all().delete()
    assignments_auto_assign(call=call, actor=manager)
    assert sorted(ReviewAssignment.objects.values_list("application_id", "reviewer_id")) == first
    assert {r.pk for r in reviewers} == set(loads)


def test_a_rerun_only_fills_gaps(call, manager, eligible_factory, pool):
    eligible_factory()
    pool(3)
    assert assignments_auto_assign(call=call, actor=manager) == 2
    assert assignments_auto_assign(call=call, actor=manager) == 0
    eligible_factory()
    assert assignments_auto_assign(call=call, actor=manager) == 2


def test_it_never_assigns_against_an_exclusion(call, manager, eligible_factory, pool, org_b):
    Call.objects.filter(pk=call.pk).update(exclude_same_country=True)
    call.refresh_from_db()
    own = eligible_factory(country="BA")
    partnered = eligible_factory(country="RS")
    f.PartnerFactory(application=partnered, organisation=org_b)
    insider = pool(1)[0]
    f.MembershipFactory(user=insider, organisation=own.organisation)
    partner_member = pool(1)[0]
    f.MembershipFactory(user=partner_member, organisation=org_b)
    serbian = pool(1, country="RS")[0]
    neutral = pool(2)

    assignments_auto_assign(call=call, actor=manager)

    assert insider.pk not in set(own.assignments.values_list("reviewer_id", flat=True))
    assert partner_member.pk not in set(partnered.assignments.values_list("reviewer_id", flat=True))
    assert serbian.pk not in set(partnered.assignments.values_list("reviewer_id", flat=True))
    assert len(neutral) == 2
    for application, reviewer in (
        (own, insider),
        (partnered, partner_member),
        (partnered, serbian),
    ):
        ReviewAssignment.objects.filter(application=application).delete()
        with pytest.raises(RuleViolation):
            assignment_create(application=application, reviewer=reviewer, actor=manager)


def test_it_honours_capacity(call, manager, eligible_factory, pool):
    for _ in range(4):
        eligible_factory()
    small = pool(1, capacity=1)[0]
    pool(2)
    assignments_auto_assign(call=call, actor=manager)
    assert ReviewAssignment.objects.filter(reviewer=small).count() == 1


def test_a_conflict_recuses_and_a_replacement_is_assigned(call, manager, eligible_factory, pool):
    application = eligible_factory()
    first, second, spare = pool(3)
    assignments_auto_assign(call=call, actor=manager)
    assignment = application.assignments.get(reviewer=first)

    with pytest.raises(RuleViolation):
        assignment_declare(assignment=assignment, actor=first, conflict=True, reason="")
    assignment_declare(assignment=assignment, actor=first, conflict=True, reason="I advise them")

    assignment.refresh_from_db()
    assert assignment.state == "recused"
    active = set(
        application.assignments.filter(state="invited").values_list("reviewer_id", flat=True)
    )
    assert active == {second.pk, spare.pk}
    log = TransitionLog.objects.for_object(assignment).get()
    assert (log.transition, log.comment) == ("declare_conflict", "I advise them")


def test_only_the_assigned_reviewer_declares(call, manager, eligible_factory, pool):
    application = eligible_factory()
    first, second = pool(2)
    assignments_auto_assign(call=call, actor=manager)
    with pytest.raises(NotPermitted):
        assignment_declare(
            assignment=application.assignments.get(reviewer=first), actor=second, conflict=False
        )


def test_only_the_programme_manager_assigns(call, other_manager, eligible_factory, pool):
    eligible_factory()
    pool(2)
    with pytest.raises(NotPermitted):
        assignments_auto_assign(call=call, actor=other_manager)
    assert ReviewAssignment.objects.count() == 0


def test_it_stays_balanced_when_exclusions_cut_the_candidates(
    call, manager, eligible_factory, pool
):
    """Greedy alone gives both applications to the Albanian reviewer (the Serbian one may not
    review the Serbian applicant); the rebalancing pass moves the first to the Serbian one."""
    Call.objects.filter(pk=call.pk).update(exclude_same_country=True, reviewers_per_application=1)
    call.refresh_from_db()
    bosnian, serbian_app = eligible_factory(country="BA"), eligible_factory(country="RS")
    albanian = pool(1, country="AL")[0]
    serbian = pool(1, country="RS")[0]

    assignments_auto_assign(call=call, actor=manager)

    assert list(bosnian.assignments.values_list("reviewer_id", flat=True)) == [serbian.pk]
    assert list(serbian_app.assignments.values_list("reviewer_id", flat=True)) == [albanian.pk]
