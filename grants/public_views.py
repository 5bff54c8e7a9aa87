"""Public pages of the cascade: the awarded sub-grants of a programme, readable without
logging in. EU cascade funding must publish who received how much for what; nothing personal
(no people, no e-mails) is shown — only the recipient organisation, its country, the project
and the money."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .cascade import PUBLIC_GRANT_STATES
from .models import Grant, Programme
from .selectors import PUBLIC_CALL_STATES


def _get_public_programme(programme_id: int) -> Programme:
    """A programme the public already knows of: one with a published call or a published
    grant. Anything else is 404, like a programme that does not exist."""
    return get_object_or_404(
        Programme.objects.filter(
            Q(calls__state__in=PUBLIC_CALL_STATES) | Q(subgrants__state__in=PUBLIC_GRANT_STATES)
        )
        .distinct()
        .select_related("owner"),
        pk=programme_id,
    )


def programme_grants(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _get_public_programme(programme_id)
    grants = list(
        Grant.objects.filter(programme=programme, state__in=PUBLIC_GRANT_STATES)
        .select_related("organisation", "application__call")
        .only(
            "title",
            "reference",
            "amount",
            "currency",
            "start_date",
            "end_date",
            "organisation__legal_name",
            "organisation__country",
            "application__call__title",
        )
        .order_by("organisation__legal_name", "title")
    )
    return render(
        request,
        "grants_public/programme_grants.html",
        {
            "programme": programme,
            "grants": grants,
            "total": sum((g.amount for g in grants), Decimal(0)),
        },
    )
