"""Who may do what with an application. django-fsm permissions take (instance, user)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from grants.policies import is_member, is_programme_manager, is_programme_staff, roles_of

if TYPE_CHECKING:
    from applications.models import Application


def _programme_id(application: Application) -> int:
    return application.call.programme_id


def can_view(user, application: Application) -> bool:
    return is_member(user, application.organisation_id) or is_programme_staff(
        user, _programme_id(application)
    )


def is_applicant(application: Application, user) -> bool:
    return is_member(user, application.organisation_id)


def is_manager(application: Application, user) -> bool:
    return is_programme_manager(user, _programme_id(application))


def is_approver(application: Application, user) -> bool:
    return "approver" in roles_of(user).programme_roles.get(_programme_id(application), ())


def can_edit(user, application: Application) -> bool:
    return is_applicant(application, user) and application.is_editable


def is_assigned_reviewer(assignment, user) -> bool:
    return user is not None and user.is_authenticated and assignment.reviewer_id == user.pk


def is_assignment_moderator(assignment, user) -> bool:
    return is_programme_manager(user, assignment.application.call.programme_id)


def can_approve_award_list(award_list, user) -> bool:
    """An approver of the programme who did not propose the list."""
    held = roles_of(user).programme_roles.get(award_list.call.programme_id, ())
    return "approver" in held and award_list.proposed_by_id != user.pk
