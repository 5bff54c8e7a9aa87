"""Reads the domain apps share: one object of a queryset already scoped to what the viewer
may see (404 otherwise), and an object's history."""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import Http404


def object_or_404(queryset: QuerySet, pk, *, for_update: bool = False) -> Model:
    """The row of `queryset` with this primary key, or Http404 — also for a key that is not a
    number. `for_update` locks the row (the caller holds the transaction). The queryset says
    who may see what: the app's selector scopes it to the viewer before asking."""
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
