"""Reads of programmes, always for a given viewer: the ones they may see, manage or staff, and
one of them for its staff or 404."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from grants.models import Call, Programme, ProgrammeRole
from grants.policies import roles_of
from grants.roles import STAFF_ROLES, ProgrammeRoleName
from workflows.selectors import object_or_404

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
    return Programme.objects.filter(
        id__in=roles_of(user).programmes_with(ProgrammeRoleName.MANAGER)
    )


def staffed_programme_ids(user) -> set[int]:
    """The programmes in which the user holds a staff role (manager, approver, observer)."""
    return roles_of(user).programmes_with(*STAFF_ROLES)


def programmes_staffed_by(user) -> QuerySet[Programme]:
    return Programme.objects.filter(id__in=staffed_programme_ids(user)).select_related(
        "owner", "parent_grant"
    )


def programme_for_staff(user, programme_id, *, for_update: bool = False) -> Programme:
    """A programme in which the user holds a staff role (manager, approver or donor observer);
    404 for anyone else. All staff read; who may change it is the policy's call."""
    return object_or_404(programmes_staffed_by(user), programme_id, for_update=for_update)


def programmes_staffed_with_calls(user) -> QuerySet[Programme]:
    """The programmes the user staffs, by title, with their owner and their calls (newest first):
    the manager's home."""
    return (
        Programme.objects.filter(id__in=staffed_programme_ids(user))
        .select_related("owner")
        .prefetch_related(Prefetch("calls", queryset=Call.objects.order_by("-opens_at", "title")))
        .order_by("title")
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
