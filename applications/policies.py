"""Who may do what with applications, reviews and award lists: rules
`can_<verb>_<object>(*, user, <object>)` over the user's roles (see grants.policies)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from grants.policies import is_member, is_programme_manager, is_programme_staff, roles_of
from grants.roles import ProgrammeRoleName
from workflows.permissions import refusal

if TYPE_CHECKING:
    from applications.models import Application, AwardList, ReviewAssignment
    from grants.models import Call


def _programme_id(application: Application) -> int:
    return application.call.programme_id


def can_view_application(*, user, application: Application) -> bool:
    """The applicant's members, and the staff of the programme."""
    return is_member(user=user, organisation_id=application.organisation_id) or is_programme_staff(
        user=user, programme_id=_programme_id(application)
    )


def can_act_for_applicant(*, user, application: Application) -> bool:
    """The applicant organisation's members submit, withdraw and answer clarifications."""
    return is_member(user=user, organisation_id=application.organisation_id)


@refusal(_("Only a manager of the programme can do this."))
def can_manage_application(*, user, application: Application) -> bool:
    """The programme's managers screen, moderate and rank."""
    return is_programme_manager(user=user, programme_id=_programme_id(application))


def can_decide_application(*, user, application: Application) -> bool:
    """The programme's approvers turn an award list into decisions."""
    return can_decide_awards(user=user, call=application.call)


def can_decide_awards(*, user, call: Call) -> bool:
    """The approvers of the call's programme."""
    return ProgrammeRoleName.APPROVER in roles_of(user).programme_roles.get(call.programme_id, ())


@refusal(_("Only an approver of the programme can do this."))
def can_answer_award_list(*, user, award_list: AwardList) -> bool:
    """Approving or returning a list is for approvers. Its proposer gets through to hear the
    service's refusal, which says why (maker–checker) rather than a bare 403."""
    return award_list.proposed_by_id == user.pk or can_decide_awards(
        user=user, call=award_list.call
    )


def can_edit_application(*, user, application: Application) -> bool:
    return can_act_for_applicant(user=user, application=application) and application.is_editable


def can_review_assignment(*, user, assignment: ReviewAssignment) -> bool:
    """Only the reviewer it is assigned to."""
    return user is not None and user.is_authenticated and assignment.reviewer_id == user.pk


def can_moderate_assignment(*, user, assignment: ReviewAssignment) -> bool:
    return is_programme_manager(user=user, programme_id=assignment.application.call.programme_id)


def can_approve_award_list(*, user, award_list: AwardList) -> bool:
    """An approver of the programme who did not propose the list."""
    return (
        can_decide_awards(user=user, call=award_list.call) and award_list.proposed_by_id != user.pk
    )
