"""The ranking of a call with its funding line, its CSV export, and the reviewer analysis."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from applications.models import Application
from applications.selectors.ranking import (
    call_ranking,
    ranking_csv,
)
from applications.selectors.ranking import reviewer_normalisation as normalisation
from applications.selectors.review import call_for_staff
from applications.views.review import PROPOSALS, _staff_context


def _ranking_items(ranking) -> list[dict]:
    """The ranked rows with the funding line drawn before the first reserve row (or after the
    last funded row when nothing is in reserve)."""
    rows = ranking.rows
    funded = {"award", "awarded"}
    line_at = next((i for i, r in enumerate(rows) if r.proposal == "reserve"), None)
    if line_at is None:
        last_funded = max((i for i, r in enumerate(rows) if r.proposal in funded), default=None)
        line_at = None if last_funded is None else last_funded + 1
    items = []
    for i, row in enumerate(rows):
        if i == line_at:
            items.append({"line": True})
        row.proposal_label = PROPOSALS.get(row.proposal, row.proposal)
        row.cells = [
            {"title": c.title, "value": row.scores[c.pk], "consensus": c.pk in row.consensus}
            for c in ranking.criteria
        ]
        row.below_line = line_at is not None and i > line_at and row.proposal in funded
        items.append({"row": row})
    if line_at is not None and line_at == len(rows):
        items.append({"line": True})
    return items


@login_required
@require_GET
def ranking(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_for_staff(request.user, call_id)
    result = call_ranking(call)
    return render(
        request,
        "review_manage/ranking.html",
        {
            **_staff_context(request, call, "ranking"),
            "ranking": result,
            "items": _ranking_items(result),
            "column_count": 8 + len(result.criteria),
        },
    )


@login_required
@require_GET
def ranking_export(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_for_staff(request.user, call_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = call.reference_prefix or f"call-{call.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}-ranking.csv"'
    response.write("\ufeff")  # so spreadsheet programs read UTF-8
    response.write(ranking_csv(call_ranking(call)))
    return response


@login_required
@require_GET
def reviewer_analysis(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_for_staff(request.user, call_id)
    profiles, rows = normalisation(call)
    people = get_user_model().objects.in_bulk([p.reviewer_id for p in profiles])
    applications = Application.objects.in_bulk([r.application_id for r in rows])
    tendencies = {"harsh": _("Harsh"), "lenient": _("Lenient"), "neutral": _("Neutral")}
    for profile in profiles:
        profile.person = people.get(profile.reviewer_id)
        profile.tendency_label = tendencies[profile.tendency]
    for row in rows:
        row.application = applications.get(row.application_id)
    return render(
        request,
        "review_manage/analysis.html",
        {**_staff_context(request, call, "analysis"), "profiles": profiles, "rows": rows},
    )
