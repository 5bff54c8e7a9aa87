"""Reads of calls, always for a given viewer: the public ones, the ones a viewer may see, one of
them or 404."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import Q, QuerySet

from grants.models import Call, CallQuestion, Criterion
from grants.policies import roles_of
from grants.roles import STAFF_ROLES
from grants.selectors.programmes import PUBLIC_CALL_STATES, staffed_programme_ids
from workflows.selectors import object_or_404


def calls_public() -> QuerySet[Call]:
    """What an anonymous visitor may read: published calls."""
    return Call.objects.filter(state__in=PUBLIC_CALL_STATES).select_related("programme__owner")


def calls_visible_to(user) -> QuerySet[Call]:
    """Published calls, plus every call (drafts too) of the programmes the user staffs."""
    staffed = roles_of(user).programmes_with(*STAFF_ROLES)
    return Call.objects.filter(
        Q(state__in=PUBLIC_CALL_STATES) | Q(programme_id__in=staffed)
    ).select_related("programme__owner")


def call_for_user(user, call_id: int) -> Call:
    """The call if this user may see it; Call.DoesNotExist (→ 404) otherwise."""
    return calls_visible_to(user).get(pk=call_id)


def call_for_staff(user, call_id, *, for_update: bool = False) -> Call:
    """A call (drafts too) of a programme the user staffs; 404 for anyone else, even for a
    published call: the manager's pages are for the programme's staff."""
    return object_or_404(
        calls_visible_to(user).filter(programme_id__in=staffed_programme_ids(user)),
        call_id,
        for_update=for_update,
    )


def question_of(call: Call, question_id, *, for_update: bool = False) -> CallQuestion:
    """A question of this call (already fetched for its viewer), or 404."""
    return object_or_404(CallQuestion.objects.filter(call=call), question_id, for_update=for_update)


def criterion_of(call: Call, criterion_id, *, for_update: bool = False) -> Criterion:
    """A scoring criterion of this call (already fetched for its viewer), or 404."""
    return object_or_404(Criterion.objects.filter(call=call), criterion_id, for_update=for_update)


def calls_for(user) -> QuerySet[Call]:
    """What this user may read: an anonymous visitor, only published calls."""
    calls = calls_visible_to(user) if user.is_authenticated else calls_public()
    return calls.prefetch_related("questions", "criteria")


# How many applications each call has, by state: applications' to answer (the app above this
# one registers it in ApplicationsConfig.ready()), so that the call pages can show the counts
# without grants importing applications. {call_id: [(state, label, n), …]}.
ApplicationCounts = Callable[[Iterable[int]], dict[int, list[tuple[str, str, int]]]]
_application_counts: ApplicationCounts | None = None


def register_application_counts(provider: ApplicationCounts) -> None:
    global _application_counts
    _application_counts = provider


def attach_application_counts(calls) -> None:
    """Set `application_counts` ((state, label, n) in the order of the state machine) and
    `application_total` on each call, in one query for all of them."""
    counts = _application_counts([call.pk for call in calls]) if _application_counts else {}
    for call in calls:
        call.application_counts = counts.get(call.pk, [])
        call.application_total = sum(n for _state, _label, n in call.application_counts)
