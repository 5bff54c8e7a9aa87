"""The reviewer-pool services in applications.services.review: call_reviewer_add and
call_reviewer_remove (the pages above them are tested in test_manage_pages)."""

import pytest

from applications.models import ReviewAssignment
from applications.services.review import (
    assignment_create,
    call_reviewer_add,
    call_reviewer_remove,
    reviewer_invite_needed,
)
from grants.models import CallReviewer
from tests import factories as f
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict


def test_it_creates_an_account_for_an_external_expert(call, manager):
    link = call_reviewer_add(
        call=call, actor=manager, email=" Expert@Eval.Example ", full_name="Ivana", country="ME"
    )
    assert link.user.email == "expert@eval.example"
    assert link.user.full_name == "Ivana"
    assert not link.user.has_usable_password()
    assert reviewer_invite_needed(link)
    assert (link.country, link.is_external) == ("ME", True)


def test_it_adds_programme_staff_as_internal(call, manager, approver):
    link = call_reviewer_add(call=call, actor=manager, email=approver.email.upper(), capacity=3)
    assert link.user == approver
    assert (link.is_external, link.capacity) == (False, 3)
    assert not reviewer_invite_needed(link)


def test_it_refuses_a_second_entry_and_a_blank_email(call, manager, reviewer):
    with pytest.raises(RuleViolation) as exc:
        call_reviewer_add(call=call, actor=manager, email=reviewer.email)
    assert "email" in exc.value.errors
    with pytest.raises(RuleViolation):
        call_reviewer_add(call=call, actor=manager, email="  ")
    assert CallReviewer.objects.filter(call=call).count() == 1


@pytest.mark.parametrize("persona", ["approver", "observer", "other_manager", "reviewer"])
def test_only_the_programme_manager_manages_the_pool(call, request, reviewer, persona):
    actor = request.getfixturevalue(persona)
    with pytest.raises(NotPermitted):
        call_reviewer_add(call=call, actor=actor, email="someone@example.org")
    with pytest.raises(NotPermitted):
        call_reviewer_remove(link=CallReviewer.objects.get(user=reviewer), actor=actor)
    assert CallReviewer.objects.filter(call=call).count() == 1


def test_it_removes_a_reviewer_once_nothing_is_open(
    call, manager, application, reviewer, second_reviewer
):
    mine = assignment_create(application=application, reviewer=reviewer, actor=manager)
    link = CallReviewer.objects.get(call=call, user=reviewer)
    with pytest.raises(TransitionConflict) as exc:
        call_reviewer_remove(link=link, actor=manager)
    assert exc.value.code == "has_open_assignments"
    f.score(mine, {"Relevance": 4, "Feasibility": 4})
    call_reviewer_remove(link=link, actor=manager)
    assert not CallReviewer.objects.filter(pk=link.pk).exists()
    # The submitted review stays part of the record.
    assert ReviewAssignment.objects.get(pk=mine.pk).state == "submitted"
