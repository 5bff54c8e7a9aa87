"""Public pages of the cascade: the awarded sub-grants of a programme, readable without
logging in. EU cascade funding must publish who received how much for what; nothing personal
(no people, no e-mails) is shown — only the recipient organisation, its country, the project
and the money.

The same grants are open data: 360Giving JSON and CSV and an IATI activity file
(grants/opendata), for anyone, cacheable by anyone for a few minutes."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from grants import opendata
from grants.models import Programme
from grants.opendata import iati, threesixty
from grants.selectors.cascade import public_grants, public_programme

# Open data may be kept by browsers and shared caches, briefly: an award or a payment shows
# within minutes.
OPEN_DATA_MAX_AGE = 300


def programme_grants(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = public_programme(programme_id)
    grants = list(
        public_grants(programme)
        .select_related("organisation", "application__call")
        .only(
            "title",
            "reference",
            "amount",
            "currency",
            "start_date",
            "end_date",
            "summary",
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


# Open data ------------------------------------------------------------------------------


def _export_items(programme: Programme, *, with_payments: bool = False):
    grants = opendata.for_export(public_grants(programme), with_payments=with_payments)
    return [opendata.public_grant(g, programme) for g in grants]


def _programme_url(request: HttpRequest, programme: Programme) -> str:
    return request.build_absolute_uri(reverse("public-programme-grants", args=[programme.pk]))


def _download(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Anyone may read it, from any site (open data is meant to be fetched by other tools).
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
@cache_control(public=True, max_age=OPEN_DATA_MAX_AGE)
def programme_grants_360giving_json(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = public_programme(programme_id)
    body = threesixty.package_json(
        _export_items(programme),
        programme,
        programme_url=_programme_url(request, programme),
        download_url=request.build_absolute_uri(),
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return _download(response, f"programme-{programme.pk}-360giving.json")


@require_safe
@cache_control(public=True, max_age=OPEN_DATA_MAX_AGE)
def programme_grants_360giving_csv(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = public_programme(programme_id)
    body = threesixty.package_csv(
        _export_items(programme), programme, programme_url=_programme_url(request, programme)
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    return _download(response, f"programme-{programme.pk}-360giving.csv")


@require_safe
@cache_control(public=True, max_age=OPEN_DATA_MAX_AGE)
def programme_grants_iati(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = public_programme(programme_id, "parent_grant__donor")
    body = iati.activities_xml(_export_items(programme, with_payments=True), programme)
    response = HttpResponse(body, content_type="application/xml; charset=utf-8")
    return _download(response, f"programme-{programme.pk}-iati.xml")
