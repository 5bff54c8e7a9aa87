import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection

from applications.models import Application, AwardList, ReviewAssignment
from applications.selectors.ranking import call_ranking, ranking_csv, reviewer_normalisation
from applications.services.awards import award_list_approve, award_list_propose, award_list_return
from applications.services.moderation import assignment_reopen, moderation_record_consensus
from applications.services.review import assignments_auto_assign, review_save, review_submit
from grants.models import Call, Criterion, Grant, ProgrammeRole
from grants.services.calls import call_close, call_start_review
from tests import factories as f
from tests.review.conftest import score
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict

# The hand-computed example (see the docstring of `scheme`).
SCORES = {
    #        reviewer 1 (relevance, feasibility, budget)   reviewer 2
    "A": ("10000", (4, 4, 8), (5, 3, 6)),  # means 4.5 3.5 7 → 80.00
    "B": ("12000", (4, 4, 8), (4, 4, 8)),  # 80.00: ties with A, lower relevance → after A
    "C": ("15000", (5, 5, 10), (2, 2, 4)),  # 100 vs 40: diverges → moderation, consensus 75.00
    "D": ("5000", (1.5, 4, 8), (2, 4, 8)),  # 57.50 but relevance 1.75 < 2 → rejected
    "E": ("9000", (3, 3, 6), (3, 3, 6)),  # 60.00: does not fit the 8,000 left → reserve
    "F": ("6000", (3, 2.5, 6), (3, 2.5, 5)),  # 55.83: fits the 8,000 left → award
}


@pytest.fixture
def scheme(call, manager, eligible_factory, pool):
    """Criteria: relevance (weight 3, max 5, pass 2), feasibility (2, 5, none), budget
    (1, 10, pass 4); pass mark 50; budget 30,000; two reviewers each.
    total = (3·rel/5 + 2·fea/5 + 1·bud/10) / 6 · 100."""
    call.criteria.all().delete()
    f.CriterionFactory(
        call=call, title="Relevance", weight=3, max_score=5, pass_threshold=2, order=1
    )
    f.CriterionFactory(
        call=call, title="Feasibility", weight=2, max_score=5, pass_threshold=None, order=2
    )
    f.CriterionFactory(call=call, title="Budget", weight=1, max_score=10, pass_threshold=4, order=3)
    Call.objects.filter(pk=call.pk).update(
        budget=Decimal("30000"), pass_threshold=Decimal("50"), reviewers_per_application=2
    )
    call.refresh_from_db()
    apps = {key: eligible_factory(requested=requested) for key, (requested, *_r) in SCORES.items()}
    r1, r2 = pool(2)
    assignments_auto_assign(call=call, actor=manager)
    for key, (_requested, first, second) in SCORES.items():
        for reviewer, values in ((r1, first), (r2, second)):
            assignment = apps[key].assignments.get(reviewer=reviewer)
            score(
                assignment, dict(zip(["Relevance", "Feasibility", "Budget"], values, strict=True))
            )
    for app in apps.values():
        app.refresh_from_db()
    return apps


def test_it_moderates_the_divergent_application(scheme, manager):
    assert {k: a.state for k, a in scheme.items()} == {
        "A": "reviewed",
        "B": "reviewed",
        "C": "moderation",
        "D": "reviewed",
        "E": "reviewed",
        "F": "reviewed",
    }
    criteria = {c.title: c.pk for c in scheme["C"].call.criteria.all()}
    with pytest.raises(RuleViolation) as exc:  # relevance changed from the mean 3.5 → reason
        moderation_record_consensus(
            application=scheme["C"],
            actor=manager,
            scores={
                criteria["Relevance"]: {"score": 4},
                criteria["Feasibility"]: {"score": 3.5},
                criteria["Budget"]: {"score": 7},
            },
        )
    assert list(exc.value.errors) == [f"scores.{criteria['Relevance']}.justification"]
    moderation_record_consensus(
        application=scheme["C"],
        actor=manager,
        scores={
            criteria["Relevance"]: {"score": 4, "justification": "Strong local need."},
            criteria["Feasibility"]: {"score": 3.5},
            criteria["Budget"]: {"score": 7},
        },
    )
    scheme["C"].refresh_from_db()
    assert scheme["C"].state == "reviewed"


@pytest.fixture
def moderated(scheme, manager):
    criteria = {c.title: c.pk for c in scheme["C"].call.criteria.all()}
    moderation_record_consensus(
        application=scheme["C"],
        actor=manager,
        scores={
            criteria["Relevance"]: {"score": 4, "justification": "Strong local need."},
            criteria["Feasibility"]: {"score": 3.5},
            criteria["Budget"]: {"score": 7},
        },
    )
    return scheme


def test_the_ranking_matches_the_hand_computed_example(moderated, call):
    ranking = call_ranking(call)
    by_app = {row.application.pk: row for row in ranking.rows}
    got = {
        key: (by_app[app.pk].rank, by_app[app.pk].total, by_app[app.pk].proposal)
        for key, app in moderated.items()
    }
    assert got == {
        "A": (1, Decimal("80.00"), "award"),
        "B": (2, Decimal("80.00"), "award"),
        "C": (3, Decimal("75.00"), "reserve"),
        "E": (4, Decimal("60.00"), "reserve"),
        "D": (5, Decimal("57.50"), "reject"),
        "F": (6, Decimal("55.83"), "award"),
    }
    c_row = by_app[moderated["C"].pk]
    relevance = next(c for c in ranking.criteria if c.title == "Relevance")
    assert c_row.scores[relevance.pk] == Decimal("4.00") and relevance.pk in c_row.consensus
    assert by_app[moderated["D"].pk].failed == ["Relevance"]
    assert ranking.proposed_total == Decimal("28000")


def test_the_ranking_takes_a_pinned_number_of_queries(moderated, call, django_assert_num_queries):
    with django_assert_num_queries(3):
        call_ranking(call)


def test_the_csv_lists_every_reviewers_score(moderated, call):
    text = ranking_csv(call_ranking(call))
    lines = text.splitlines()
    assert lines[0].startswith("rank,reference,applicant")
    assert len(lines) == 1 + 6 * 3  # a ranking row and two review rows per application
    assert "4.00 (consensus)" in text


def test_the_normalisation_is_an_analysis_only(moderated, call):
    before = [(r.application.pk, r.rank) for r in call_ranking(call).rows]
    profiles, rows = reviewer_normalisation(call)
    assert len(profiles) == 2 and len(rows) == 6
    assert [(r.application.pk, r.rank) for r in call_ranking(call).rows] == before


@pytest.fixture
def in_review(moderated, call, manager):
    Call.objects.filter(pk=call.pk).update(
        closes_at=call.opens_at + (call.closes_at - call.opens_at) / 2
    )
    call_close(call=call, actor=manager)
    call_start_review(call=call, actor=manager)
    return moderated


def test_maker_checker_awards_in_one_go(
    in_review, call, manager, approver, applicant_a, django_capture_on_commit_callbacks, mailoutbox
):
    award_list = award_list_propose(
        call=call,
        actor=manager,
        adjustments={in_review["A"].pk: {"amount": "9000", "reason": "Equipment not eligible"}},
    )
    with pytest.raises(NotPermitted):  # the proposer cannot approve
        award_list_approve(award_list=award_list, actor=manager)
    ProgrammeRole.objects.create(user=manager, programme=call.programme, role="approver")
    from grants.policies import forget_roles

    forget_roles(manager)
    with pytest.raises(NotPermitted):  # not even holding the approver role too
        award_list_approve(award_list=award_list, actor=manager)

    with django_capture_on_commit_callbacks(execute=True):
        award_list_approve(award_list=award_list, actor=approver)

    bodies = {m.to[0]: m.body for m in mailoutbox}
    a_member = in_review["A"].organisation.members.get().email
    d_member = in_review["D"].organisation.members.get().email
    assert "selected for funding: 9,000.00 EUR" in bodies[a_member]
    assert "not selected" in bodies[d_member]
    states = {k: Application.objects.get(pk=a.pk).state for k, a in in_review.items()}
    assert states == {
        "A": "awarded",
        "B": "awarded",
        "C": "reserve",
        "D": "rejected",
        "E": "reserve",
        "F": "awarded",
    }
    assert Grant.objects.get(application=in_review["A"]).amount == Decimal("9000.00")
    assert Grant.objects.count() == 3
    call.refresh_from_db()
    assert call.state == "decided"
    feedback = award_list.items.get(application=in_review["A"]).feedback
    assert "Total score: 80.00" in feedback
    assert "@" not in feedback  # no reviewer identities


def test_the_database_refuses_the_same_person_twice(in_review, call, manager):
    award_list = award_list_propose(call=call, actor=manager)
    with pytest.raises(IntegrityError):
        AwardList.objects.filter(pk=award_list.pk).update(decided_by=manager)


def test_amounts_can_only_go_down_with_a_reason(in_review, call, manager):
    with pytest.raises(RuleViolation):
        award_list_propose(
            call=call,
            actor=manager,
            adjustments={in_review["A"].pk: {"amount": "11000", "reason": "x"}},
        )
    with pytest.raises(RuleViolation):
        award_list_propose(
            call=call, actor=manager, adjustments={in_review["A"].pk: {"amount": "9000"}}
        )
    assert not AwardList.objects.exists()


def test_a_returned_list_puts_applications_back(in_review, call, manager, approver):
    award_list = award_list_propose(call=call, actor=manager)
    award_list_return(award_list=award_list, actor=approver, comment="Check F's budget")
    assert set(Application.objects.filter(call=call).values_list("state", flat=True)) == {
        "reviewed"
    }


def test_a_reopened_review_sends_the_application_back_into_review(scheme, manager):
    assignment = scheme["A"].assignments.first()
    assignment_reopen(assignment=assignment, actor=manager, comment="Please recheck the budget")
    scheme["A"].refresh_from_db()
    assert scheme["A"].state == "in_review"
    review_save(
        assignment=assignment,
        actor=assignment.reviewer,
        scores={assignment.application.call.criteria.first().pk: {"score": 3}},
    )
    review_submit(assignment=assignment, actor=assignment.reviewer)
    scheme["A"].refresh_from_db()
    assert scheme["A"].state == "reviewed"


@pytest.mark.django_db(transaction=True)
def test_racing_approvals_never_exceed_the_budget(call, manager, approver, eligible_factory, pool):
    """Two approvers approve at the same moment: the call's row lock orders them and the second
    is refused — the awarded total stays within the budget."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    second_approver = f.ProgrammeRoleFactory(programme=call.programme, role="approver").user
    Call.objects.filter(pk=call.pk).update(budget=Decimal("20000"), reviewers_per_application=1)
    call.refresh_from_db()
    apps = [eligible_factory(requested="10000") for _ in range(2)]
    pool(1)
    assignments_auto_assign(call=call, actor=manager)
    for app in apps:
        score(app.assignments.get(), {"Relevance": 4, "Feasibility": 4})
    Call.objects.filter(pk=call.pk).update(
        closes_at=call.opens_at + (call.closes_at - call.opens_at) / 2
    )
    call_close(call=call, actor=manager)
    call_start_review(call=call, actor=manager)
    award_list = award_list_propose(call=call, actor=manager)
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(actor):
        from django.db import connection as thread_connection

        barrier.wait()
        try:
            award_list_approve(award_list=award_list, actor=actor)
            outcomes.append("approved")
        except TransitionConflict as exc:
            outcomes.append(exc.code)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=approve, args=(a,)) for a in (approver, second_approver)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["approved", "invalid_state"]
    assert Grant.objects.filter(application__call=call).count() == 2
    assert sum(Grant.objects.values_list("amount", flat=True)) <= call.budget


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


def test_criteria_fixture_is_what_the_example_assumes(scheme):
    assert [c.title for c in Criterion.objects.order_by("order")] == [
        "Relevance",
        "Feasibility",
        "Budget",
    ]


def test_the_csv_never_lets_a_name_run_as_a_formula(moderated, call):
    organisation = moderated["A"].organisation
    organisation.legal_name = '=HYPERLINK("http://evil.example","x")'
    organisation.save()
    text = ranking_csv(call_ranking(call))
    assert "'=HYPERLINK" in text
    assert ',"=HYPERLINK' not in text and ",=HYPERLINK" not in text


def test_the_applicant_reads_the_outcome_without_reviewer_names(
    in_review, call, manager, approver, client
):
    award_list_approve(award_list=award_list_propose(call=call, actor=manager), actor=approver)
    member = in_review["A"].organisation.members.get()
    client.force_login(member)

    detail = client.get(f"/applications/{in_review['A'].pk}/")
    outcome = client.get(f"/review/outcome/{in_review['A'].pk}/")

    assert f"/review/outcome/{in_review['A'].pk}/" in detail.content.decode()
    text = outcome.content.decode()
    assert "Total score: 80.00" in text
    for assignment in ReviewAssignment.objects.filter(application=in_review["A"]):
        assert assignment.reviewer.email not in text
        assert assignment.reviewer.full_name not in text
