"""REST API for a grant's reports: writing, submission, changes requested, approval, schedule."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from grants.api.grants import GRANT_ID, REPORT_TRANSITION, GrantPartViewSet
from grants.models import IndicatorValue, Report, ReportComment
from grants.serializers.common import TransitionCommentSerializer
from grants.serializers.grants import (
    ReportInterimCreateSerializer,
    ReportRequestChangesSerializer,
    ReportRescheduleSerializer,
    ReportSerializer,
    ReportUpdateSerializer,
)
from grants.services.reports import (
    REPORT_TRANSITIONS,
    report_add_interim,
    report_remove,
    report_reschedule,
    report_save,
)
from workflows.rest import error_responses, transition_action, valid_data


@extend_schema_view(
    partial_update=extend_schema(
        summary="Save a report in progress (the grantee)",
        description="Send the `version` you last read; if someone saved since, nothing is "
        "written and the answer is 409 `stale_version`. `narrative` answers are merged by "
        "question; `spending` and `indicators` replace the values of the lines and "
        "indicators sent. 409 `not_editable` unless the report is open or changes were "
        "requested.",
        request=ReportUpdateSerializer,
        responses={200: ReportSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
    create=extend_schema(
        summary="Add an interim report to the schedule (manager)",
        description="The reports are renumbered by period; the final report stays last. "
        "400 when the period overlaps another interim report, leaves the grant's period "
        "or is due before it ends; 409 `invalid_state` once the grant is closed or terminated.",
        request=ReportInterimCreateSerializer,
        responses={201: ReportSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
    destroy=extend_schema(
        summary="Remove a scheduled interim report (manager)",
        description="409 `final_report` for the final report, `invalid_state` unless it is "
        "scheduled, `tranche_waiting` when a tranche is released on its approval. The "
        "reports after it move down one number.",
        responses={204: None, **error_responses(401, 403, 404, 409)},
    ),
)
@extend_schema(tags=["grants"], parameters=[GRANT_ID])
class ReportViewSet(GrantPartViewSet):
    """The grant's reports: narrative, financial statement and indicators; submitted by the
    grantee, approved or sent back per section by the manager."""

    serializer_class = ReportSerializer
    model = Report
    transitions = REPORT_TRANSITIONS
    transition_subject = "report"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(
                "grant__programme", "grant__application__call", "submitted_by", "decided_by"
            )
            .prefetch_related(
                "financial_lines",
                "grant__budget_lines",
                Prefetch(
                    "indicator_values", queryset=IndicatorValue.objects.select_related("indicator")
                ),
                Prefetch("comments", queryset=ReportComment.objects.select_related("author")),
            )
        )

    def partial_update(self, request: Request, grant_id: str, pk: str) -> Response:
        report = self.get_object()
        data = valid_data(ReportUpdateSerializer, request)
        spending, indicators = data.get("spending"), data.get("indicators")
        report = report_save(
            report=report,
            actor=request.user,
            version=data["version"],
            narrative=data.get("narrative"),
            spending={row["budget_line"]: row["spent"] for row in spending}
            if spending is not None
            else None,
            indicators={row["indicator"]: row["value"] for row in indicators}
            if indicators is not None
            else None,
            currency=data.get("currency"),
        )
        return self.respond(report)

    open = transition_action(
        "open",
        summary="Open a scheduled report for writing (manager)",
        responses=REPORT_TRANSITION,
    )

    submit = transition_action(
        "submit",
        summary="Submit the report (the grantee)",
        description="400 lists every unanswered question under `narrative`, and under "
        "`currency` a missing exchange rate. Open comments become resolved.",
        responses=REPORT_TRANSITION,
    )

    approve = transition_action(
        "approve",
        summary="Approve a submitted report (manager, never of the grantee organisation)",
        description="The rate used is stored with the report, and the tranches waiting on "
        "it become due. 409 `missing_rate` when the month's rate is missing.",
        body=TransitionCommentSerializer,
        responses=REPORT_TRANSITION,
    )

    request_changes = transition_action(
        "request_changes",
        summary="Send the report back with a comment per section (manager)",
        body=ReportRequestChangesSerializer,
        responses=REPORT_TRANSITION,
    )

    # The reporting schedule, editable per grant.

    def create(self, request: Request, grant_id: str) -> Response:
        data = valid_data(ReportInterimCreateSerializer, request)
        report = report_add_interim(grant=self.grant(), actor=request.user, **data)
        return self.respond(report, status.HTTP_201_CREATED)

    def destroy(self, request: Request, grant_id: str, pk: str) -> Response:
        report_remove(report=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Move a scheduled or open report's period or due date (manager)",
        description="Send only what changes. 400 when the period ends before it starts, "
        "the report would be due before its period ends, the final report's period would "
        "not end with the grant, or an interim period overlaps another; 409 "
        "`invalid_state` once the report is submitted. Reports are renumbered by period.",
        request=ReportRescheduleSerializer,
        responses=REPORT_TRANSITION,
    )
    @action(detail=True, methods=["patch"])
    def schedule(self, request: Request, grant_id: str, pk: str) -> Response:
        report = self.get_object()
        data = valid_data(ReportRescheduleSerializer, request)
        report = report_reschedule(report=report, actor=request.user, **data)
        return self.respond(report)
