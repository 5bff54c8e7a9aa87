"""Reads of programmes, always for a given viewer: the ones they may see, manage or staff."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from grants.models import Call, Programme, ProgrammeRole
from grants.policies import STAFF_ROLES, roles_of

PUBLIC_CALL_STATES = [Call.State.OPEN, Call.State.CLOSED, Call.State.IN_REVIEW, Call.State.DECIDED]


def programmes_visible_to(user) -> QuerySet[Programme]:
    """Programmes with a published call, plus those the user staffs."""
    staffed = roles_of(user).programmes_with(*STAFF_ROLES)
    return (
        Programme.objects.filter(Q(id__in=staffed) | Q(calls__state__in=PUBLIC_CALL_STATES))
        .distinct()
        .select_related("owner", "parent_grant")
        .prefetch_related("donors")
    )


def programmes_managed_by(user) -> QuerySet[Programme]:
    return Programme.objects.filter(id__in=roles_of(user).programmes_with("manager"))


def staffed_programme_ids(user) -> set[int]:
    """The programmes in which the user holds a staff role (manager, approver, observer)."""
    return roles_of(user).programmes_with(*STAFF_ROLES)


def programmes_staffed_by(user) -> QuerySet[Programme]:
    return Programme.objects.filter(id__in=staffed_programme_ids(user)).select_related(
        "owner", "parent_grant"
    )


def people_by_programme(programme_ids, role: str) -> dict[int, tuple[int, ...]]:
    """{programme_id: (user ids of its active people in `role`, sorted)}, in one query. For the
    notifications a programme's team receives, not for a viewer."""
    found: dict[int, list[int]] = {}
    for programme_id, user_id in ProgrammeRole.objects.filter(
        programme_id__in=set(programme_ids), role=role, user__is_active=True
    ).values_list("programme_id", "user_id"):
        found.setdefault(programme_id, []).append(user_id)
    return {k: tuple(sorted(v)) for k, v in found.items()}
