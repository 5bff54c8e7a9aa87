"""REST API for the ranking of a call (JSON and CSV) and its reviewer analysis (programme staff)."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
)
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from applications.api.review import CallReviewApi
from applications.selectors.ranking import call_ranking, ranking_csv, reviewer_normalisation
from applications.serializers.review import (
    RankingSerializer,
    ReviewerAnalysisSerializer,
)
from workflows.rest import error_responses


@extend_schema(tags=["selection"])
class CallRankingApi(CallReviewApi):
    @extend_schema(
        summary="The ranking of a call with the funding line (programme staff)",
        description="Per criterion the mean of the submitted reviews (or the consensus), "
        "the weighted total (0–100), failed thresholds, and the proposal: award while the "
        "budget lasts, then reserve; below a threshold, reject. `tie_break` says how equal "
        "totals are ordered.",
        responses={200: RankingSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, call_id: int) -> Response:
        ranking = call_ranking(self.call())
        serializer = RankingSerializer(
            ranking, context={"request": request, "criteria": ranking.criteria}
        )
        return Response(serializer.data)


@extend_schema(tags=["selection"])
class CallRankingCsvApi(CallReviewApi):
    @extend_schema(
        operation_id="calls_ranking_csv",
        summary="The ranking as CSV, with every reviewer's score per criterion",
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="A header row; per application a ranking row, then a row per review.",
            ),
            **error_responses(401, 404),
        },
    )
    def get(self, request: Request, call_id: int) -> HttpResponse:
        call = self.call()
        response = HttpResponse(
            ranking_csv(call_ranking(call)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="ranking-call-{call.pk}.csv"'
        return response


@extend_schema(tags=["selection"])
class CallReviewerAnalysisApi(CallReviewApi):
    @extend_schema(
        summary="Harsh and lenient reviewers: scores normalised per reviewer (analysis only)",
        description="Each review's total as a z-score over the reviewer's own reviews, mapped "
        "back onto the scale of all reviews. The official ranking never uses it.",
        responses={200: ReviewerAnalysisSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, call_id: int) -> Response:
        profiles, rows = reviewer_normalisation(self.call())
        names = {
            user.pk: user.display_name
            for user in User.objects.filter(pk__in=[p.reviewer_id for p in profiles])
        }
        for profile in profiles:
            profile.reviewer_name = names.get(profile.reviewer_id, "")
        data = {"reviewers": profiles, "applications": rows}
        return Response(ReviewerAnalysisSerializer(data).data)
