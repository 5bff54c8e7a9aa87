"""The award list through the services: maker–checker, amounts only down with a reason, a returned list, racing approvals within the budget, the applicant's outcome."""

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection

from applications.models import Application, AwardList, ReviewAssignment
from applications.services.awards import award_list_approve, award_list_propose, award_list_return
from applications.services.review import assignments_auto_assign
from grants.models import Call, Grant, ProgrammeRole
from grants.services.calls import call_close, call_start_review
from tests import factories as f
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict


def test_maker_checker_awards_in_one_go(
    in_review_a_to_f,
    call,
    manager,
    approver,
    applicant_a,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    award_list = award_list_propose(
        call=call,
        actor=manager,
        adjustments={
            in_review_a_to_f["A"].pk: {"amount": "9000", "reason": "Equipment not eligible"}
        },
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
    a_member = in_review_a_to_f["A"].organisation.members.get().email
    d_member = in_review_a_to_f["D"].organisation.members.get().email
    assert "selected for funding: 9,000.00 EUR" in bodies[a_member]
    assert "not selected" in bodies[d_member]
    states = {k: Application.objects.get(pk=a.pk).state for k, a in in_review_a_to_f.items()}
    assert states == {
        "A": "awarded",
        "B": "awarded",
        "C": "reserve",
        "D": "rejected",
        "E": "reserve",
        "F": "awarded",
    }
    assert Grant.objects.get(application=in_review_a_to_f["A"]).amount == Decimal("9000.00")
    assert Grant.objects.count() == 3
    call.refresh_from_db()
    assert call.state == "decided"
    feedback = award_list.items.get(application=in_review_a_to_f["A"]).feedback
    assert "Total score: 80.00" in feedback
    assert "@" not in feedback  # no reviewer identities


def test_the_database_refuses_the_same_person_twice(in_review_a_to_f, call, manager):
    award_list = award_list_propose(call=call, actor=manager)
    with pytest.raises(IntegrityError):
        AwardList.objects.filter(pk=award_list.pk).update(decided_by=manager)


def test_amounts_can_only_go_down_with_a_reason(in_review_a_to_f, call, manager):
    with pytest.raises(RuleViolation):
        award_list_propose(
            call=call,
            actor=manager,
            adjustments={in_review_a_to_f["A"].pk: {"amount": "11000", "reason": "x"}},
        )
    with pytest.raises(RuleViolation):
        award_list_propose(
            call=call, actor=manager, adjustments={in_review_a_to_f["A"].pk: {"amount": "9000"}}
        )
    assert not AwardList.objects.exists()


def test_a_returned_list_puts_applications_back(in_review_a_to_f, call, manager, approver):
    award_list = award_list_propose(call=call, actor=manager)
    award_list_return(award_list=award_list, actor=approver, comment="Check F's budget")
    assert set(Application.objects.filter(call=call).values_list("state", flat=True)) == {
        "reviewed"
    }


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
        f.score(app.assignments.get(), {"Relevance": 4, "Feasibility": 4})
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


def test_the_applicant_reads_the_outcome_without_reviewer_names(
    in_review_a_to_f, call, manager, approver, client
):
    award_list_approve(award_list=award_list_propose(call=call, actor=manager), actor=approver)
    member = in_review_a_to_f["A"].organisation.members.get()
    client.force_login(member)

    detail = client.get(f"/applications/{in_review_a_to_f['A'].pk}/")
    outcome = client.get(f"/review/outcome/{in_review_a_to_f['A'].pk}/")

    assert f"/review/outcome/{in_review_a_to_f['A'].pk}/" in detail.content.decode()
    text = outcome.content.decode()
    assert "Total score: 80.00" in text
    for assignment in ReviewAssignment.objects.filter(application=in_review_a_to_f["A"]):
        assert assignment.reviewer.email not in text
        assert assignment.reviewer.full_name not in text
