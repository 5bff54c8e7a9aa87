"""Reads the domain apps share: one object of a queryset already scoped to what the viewer
may see (404 otherwise), and an object's history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from workflows.models import Notification, TransitionLog


def object_or_404(queryset: QuerySet, pk, *, for_update: bool = False) -> Model:
    """The row of `queryset` with this primary key, or Http404 — also for a key that is not a
    number. `for_update` locks the row (the caller holds the transaction; not on a distinct
    queryset). The queryset says who may see what: the app's selector scopes it to the viewer
    before asking."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def history_of(
    *objects: Model,
    include: Mapping[type[Model], Iterable[int] | QuerySet] | None = None,
    transitions: Iterable[str] = (),
) -> QuerySet[TransitionLog]:
    """The transition log of these objects — and of the rows `include` names, by model (a
    grant with its tranches and reports) — oldest first, with each entry's actor and subject
    type, in one query. `transitions` keeps only those (moderation's, an award list's
    decisions). The one way to read an object's history."""
    wanted = Q(pk__in=[])
    for obj in objects:
        wanted |= Q(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
    for model, ids in (include or {}).items():
        wanted |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
    entries = TransitionLog.objects.filter(wanted).select_related("content_type", "actor")
    transitions = list(transitions)
    if transitions:
        entries = entries.filter(transition__in=transitions)
    return entries.order_by("created_at", "id")


def with_state_labels(entries: Iterable[TransitionLog]) -> list[TransitionLog]:
    """The entries, each with `from_label` and `to_label`: its states as the subject's model
    names them (in the reader's language)."""
    entries = list(entries)
    for entry in entries:
        labels = dict(entry.content_type.model_class().State.choices)
        entry.from_label = labels.get(entry.from_state, entry.from_state)
        entry.to_label = labels.get(entry.to_state, entry.to_state)
    return entries


# What a person's inbox shows: what has gone out to them (pending rows are not news yet).
INBOX_STATES = [
    Notification.State.SENT,
    Notification.State.DIGEST,
    Notification.State.SENDING,
    Notification.State.FAILED,
]


def inbox_of(user):
    """What has gone out to this person (pending rows are not news yet)."""
    return Notification.objects.filter(recipient=user, state__in=INBOX_STATES)
