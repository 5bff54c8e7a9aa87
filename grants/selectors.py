"""Reads, always for a given viewer."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from grants.models import Call, Organisation, Programme
from grants.policies import STAFF_ROLES, roles_of

PUBLIC_CALL_STATES = [Call.State.OPEN, Call.State.CLOSED, Call.State.IN_REVIEW, Call.State.DECIDED]


def calls_public() -> QuerySet[Call]:
    """What an anonymous visitor may read: published calls."""
    return Call.objects.filter(state__in=PUBLIC_CALL_STATES).select_related("programme__owner")


def calls_visible_to(user) -> QuerySet[Call]:
    """Published calls, plus every call (drafts too) of the programmes the user staffs."""
    staffed = roles_of(user).programmes_with(*STAFF_ROLES)
    return Call.objects.filter(
        Q(state__in=PUBLIC_CALL_STATES) | Q(programme_id__in=staffed)
    ).select_related("programme__owner")


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


def organisations_visible_to(user) -> QuerySet[Organisation]:
    """The user's organisations, plus those that applied (or partner) in programmes they staff."""
    roles = roles_of(user)
    staffed = roles.programmes_with(*STAFF_ROLES)
    return Organisation.objects.filter(
        Q(id__in=roles.organisation_ids)
        | Q(applications__call__programme_id__in=staffed)
        | Q(programmes__id__in=staffed)
    ).distinct()


def organisations_of(user) -> QuerySet[Organisation]:
    return Organisation.objects.filter(id__in=roles_of(user).organisation_ids)


def call_for_user(user, call_id: int) -> Call:
    """The call if this user may see it; Call.DoesNotExist (→ 404) otherwise."""
    return calls_visible_to(user).get(pk=call_id)


def staffed_programme_ids(user) -> set[int]:
    """The programmes in which the user holds a staff role (manager, approver, observer)."""
    return roles_of(user).programmes_with(*STAFF_ROLES)


def programmes_staffed_by(user) -> QuerySet[Programme]:
    return Programme.objects.filter(id__in=staffed_programme_ids(user)).select_related(
        "owner", "parent_grant"
    )
