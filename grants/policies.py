"""Who may do what: the only place a rule of access is written.

Every rule is a pure function `can_<verb>_<object>(*, user, <object>)` over the user's roles,
which are loaded once per user object and cached on it, so checks inside lists cost no extra
queries. The role facts (`is_member`, `is_programme_manager`, …) take ids. The models' FSM
`permission=` reuses the rules through workflows.permissions.fsm_permission; services enforce
them; views and the API declare them with workflows.permissions.require."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from grants.roles import FINANCE_ROLES, MembershipRole, ProgrammeRoleName
from workflows.permissions import refusal

if TYPE_CHECKING:
    from grants.models import Amendment, Call, Grant, Organisation, Programme, Report, Tranche


@dataclass(frozen=True)
class Roles:
    organisation_ids: frozenset[int] = frozenset()
    admin_organisation_ids: frozenset[int] = frozenset()
    programme_roles: dict[int, frozenset[str]] = field(default_factory=dict)
    reviewer_call_ids: frozenset[int] = frozenset()

    def programmes_with(self, *roles: str) -> set[int]:
        return {pid for pid, held in self.programme_roles.items() if held & set(roles)}


ANONYMOUS_ROLES = Roles()


def roles_of(user) -> Roles:
    if user is None or not user.is_authenticated:
        return ANONYMOUS_ROLES
    cached = getattr(user, "_regrant_roles", None)
    if cached is not None:
        return cached
    # Through the user's own relations: policies sit below the models (the FSM `permission=`
    # of a model names a policy), so they import none.
    memberships = list(user.memberships.values_list("organisation_id", "role"))
    programme_roles: dict[int, set[str]] = {}
    for programme_id, role in user.programme_roles.values_list("programme_id", "role"):
        programme_roles.setdefault(programme_id, set()).add(role)
    roles = Roles(
        organisation_ids=frozenset(org for org, _role in memberships),
        admin_organisation_ids=frozenset(
            org for org, role in memberships if role == MembershipRole.ADMIN
        ),
        programme_roles={pid: frozenset(r) for pid, r in programme_roles.items()},
        reviewer_call_ids=frozenset(user.callreviewer_set.values_list("call_id", flat=True)),
    )
    user._regrant_roles = roles
    return roles


def forget_roles(user) -> None:
    """Call after changing someone's memberships or roles within the same request."""
    if hasattr(user, "_regrant_roles"):
        del user._regrant_roles


@refusal(_("Only a manager of the programme can do this."))
def is_programme_manager(*, user, programme_id: int) -> bool:
    return ProgrammeRoleName.MANAGER in roles_of(user).programme_roles.get(programme_id, ())


def is_programme_staff(*, user, programme_id: int) -> bool:
    """Manager, approver or donor observer: may read everything inside the programme."""
    return bool(roles_of(user).programme_roles.get(programme_id))


def is_member(*, user, organisation_id: int) -> bool:
    return organisation_id in roles_of(user).organisation_ids


def is_org_admin(*, user, organisation_id: int) -> bool:
    return organisation_id in roles_of(user).admin_organisation_ids


@refusal(_("Only a manager of the programme can do this."))
def can_manage_programme(*, user, programme: Programme) -> bool:
    return is_programme_manager(user=user, programme_id=programme.pk)


@refusal(_("Only a manager of the programme can do this."))
def can_manage_call(*, user, call: Call) -> bool:
    return is_programme_manager(user=user, programme_id=call.programme_id)


@refusal(_("Only an administrator of the organisation can manage its people."))
def can_manage_members(*, user, organisation_id: int) -> bool:
    """An organisation's administrators invite people, change roles and remove people."""
    return is_org_admin(user=user, organisation_id=organisation_id)


@refusal(_("Only an administrator of the organisation can change its profile."))
def can_edit_organisation(*, user, organisation: Organisation) -> bool:
    return is_org_admin(user=user, organisation_id=organisation.pk)


def can_create_programme(*, user) -> bool:
    """Any administrator of an organisation may start a programme owned by it."""
    return bool(roles_of(user).admin_organisation_ids)


def can_manage_grant(*, user, grant: Grant) -> bool:
    """A sub-grant is managed by its programme's managers; an incoming grant (no programme)
    by the administrators of the organisation that received it."""
    if grant.programme_id:
        return is_programme_manager(user=user, programme_id=grant.programme_id)
    return is_org_admin(user=user, organisation_id=grant.organisation_id)


def can_sign_grant(*, user, grant: Grant) -> bool:
    """The grantee's authorised members (its administrators) sign the agreement."""
    return is_org_admin(user=user, organisation_id=grant.organisation_id)


def can_view_grant(*, user, grant: Grant) -> bool:
    return is_member(user=user, organisation_id=grant.organisation_id) or (
        grant.programme_id is not None
        and is_programme_staff(user=user, programme_id=grant.programme_id)
    )


@refusal(_("Only a manager or approver of the programme can do this."))
def can_finance_grant(*, user, grant: Grant) -> bool:
    """Tranche approval and payment: the programme's approvers and managers."""
    held = roles_of(user).programme_roles.get(grant.programme_id, ())
    return bool(set(FINANCE_ROLES) & set(held))


def can_manage_report(*, user, report: Report) -> bool:
    return can_manage_grant(user=user, grant=report.grant)


def can_write_report(*, user, report: Report) -> bool:
    """The grantee's members write, submit and attach to their reports."""
    return is_member(user=user, organisation_id=report.grant.organisation_id)


def can_decide_report(*, user, report: Report) -> bool:
    """The manager decides — never a member of the organisation that wrote the report."""
    return can_manage_grant(user=user, grant=report.grant) and not is_member(
        user=user, organisation_id=report.grant.organisation_id
    )


def can_manage_tranche(*, user, tranche: Tranche) -> bool:
    return can_manage_grant(user=user, grant=tranche.grant)


def can_approve_tranche(*, user, tranche: Tranche) -> bool:
    """Four eyes: a finance person of the programme other than whoever made it due."""
    return can_finance_grant(user=user, grant=tranche.grant) and tranche.made_due_by_id != user.pk


def can_pay_tranche(*, user, tranche: Tranche) -> bool:
    return can_finance_grant(user=user, grant=tranche.grant)


def can_decide_amendment(*, user, amendment: Amendment) -> bool:
    """The manager decides an amendment — never a member of the organisation that asked."""
    return can_manage_grant(user=user, grant=amendment.grant) and not is_member(
        user=user, organisation_id=amendment.grant.organisation_id
    )
