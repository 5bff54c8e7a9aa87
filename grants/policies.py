"""Who may do what. Pure functions of (user, object); the user's roles are loaded once per
user object and cached on it, so policy checks inside lists cost no extra queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grants.models import Call, Organisation, Programme


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
        admin_organisation_ids=frozenset(org for org, role in memberships if role == "admin"),
        programme_roles={pid: frozenset(r) for pid, r in programme_roles.items()},
        reviewer_call_ids=frozenset(user.callreviewer_set.values_list("call_id", flat=True)),
    )
    user._regrant_roles = roles
    return roles


def forget_roles(user) -> None:
    """Call after changing someone's memberships or roles within the same request."""
    if hasattr(user, "_regrant_roles"):
        del user._regrant_roles


STAFF_ROLES = ("manager", "approver", "observer")


def is_programme_manager(user, programme_id: int) -> bool:
    return "manager" in roles_of(user).programme_roles.get(programme_id, ())


def is_programme_staff(user, programme_id: int) -> bool:
    """Manager, approver or donor observer: may read everything inside the programme."""
    return bool(roles_of(user).programme_roles.get(programme_id))


def is_member(user, organisation_id: int) -> bool:
    return organisation_id in roles_of(user).organisation_ids


def is_org_admin(user, organisation_id: int) -> bool:
    return organisation_id in roles_of(user).admin_organisation_ids


def can_manage_programme(user, programme: Programme) -> bool:
    return is_programme_manager(user, programme.pk)


def can_manage_call(call: Call, user) -> bool:
    """django-fsm permission signature: (instance, user)."""
    return is_programme_manager(user, call.programme_id)


def can_edit_organisation(user, organisation: Organisation) -> bool:
    return is_org_admin(user, organisation.pk)


def can_create_programme(user) -> bool:
    """Any administrator of an organisation may start a programme owned by it."""
    return bool(roles_of(user).admin_organisation_ids)


def can_manage_grant(grant, user) -> bool:
    """A sub-grant is managed by its programme's managers; an incoming grant (no programme)
    by the administrators of the organisation that received it."""
    if grant.programme_id:
        return is_programme_manager(user, grant.programme_id)
    return is_org_admin(user, grant.organisation_id)


def can_sign_grant(grant, user) -> bool:
    """The grantee's authorised members (its administrators) sign the agreement."""
    return is_org_admin(user, grant.organisation_id)


def can_view_grant(user, grant) -> bool:
    return is_member(user, grant.organisation_id) or (
        grant.programme_id is not None and is_programme_staff(user, grant.programme_id)
    )


def can_finance_grant(grant, user) -> bool:
    """Tranche approval and payment: the programme's approvers and managers."""
    held = roles_of(user).programme_roles.get(grant.programme_id, ())
    return bool({"manager", "approver"} & set(held))


def can_manage_report(report, user) -> bool:
    return can_manage_grant(report.grant, user)


def is_grantee_of_report(report, user) -> bool:
    return is_member(user, report.grant.organisation_id)


def can_decide_report(report, user) -> bool:
    """The manager decides — never a member of the organisation that wrote the report."""
    return can_manage_grant(report.grant, user) and not is_member(
        user, report.grant.organisation_id
    )


def can_manage_tranche(tranche, user) -> bool:
    return can_manage_grant(tranche.grant, user)


def can_approve_tranche(tranche, user) -> bool:
    return can_finance_grant(tranche.grant, user) and tranche.made_due_by_id != user.pk


def can_pay_tranche(tranche, user) -> bool:
    return can_finance_grant(tranche.grant, user)


def can_manage_amendment(amendment, user) -> bool:
    return can_manage_grant(amendment.grant, user) and not is_member(
        user, amendment.grant.organisation_id
    )
