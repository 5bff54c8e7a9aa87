"""REST API for grants after the award: the grant and its agreement, tranches, reports,
amendments and monitoring visits.

A grant is seen by the grantee's members and its programme's staff (policies.can_view_grant);
anyone else gets 404 on it and on everything under it. Views stay thin: every write is one
service call in grants.grant_services or grants.reports, and the exception handler turns the
services' refusals into 400/403/409.
"""

from __future__ import annotations

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Prefetch, Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from grants import grant_services, reports
from grants.grant_serializers import (
    AmendmentCreateSerializer,
    AmendmentSerializer,
    FollowUpCloseSerializer,
    GrantHistorySerializer,
    GrantSerializer,
    GrantSignSerializer,
    MonitoringVisitCreateSerializer,
    MonitoringVisitSerializer,
    ReportInterimCreateSerializer,
    ReportRequestChangesSerializer,
    ReportRescheduleSerializer,
    ReportSerializer,
    ReportUpdateSerializer,
    TranchePaySerializer,
    TrancheSerializer,
)
from grants.models import (
    Amendment,
    FollowUpAction,
    Grant,
    IndicatorValue,
    MonitoringVisit,
    Report,
    ReportComment,
    Tranche,
)
from grants.policies import STAFF_ROLES, roles_of
from grants.serializers import TransitionCommentSerializer
from workflows.api import NotFoundForAnonymous, error_responses
from workflows.models import TransitionLog


def _valid(serializer_class, request: Request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# Grants -------------------------------------------------------------------------------


def grants_visible_to(user) -> QuerySet[Grant]:
    """The grants of the user's organisations, and every grant of the programmes they staff:
    policies.can_view_grant as a query."""
    roles = roles_of(user)
    return Grant.objects.filter(
        Q(organisation_id__in=roles.organisation_ids)
        | Q(programme_id__in=roles.programmes_with(*STAFF_ROLES))
    )


def grants_for(user) -> QuerySet[Grant]:
    """Visible grants with everything GrantSerializer reads, in constant queries."""
    return (
        grants_visible_to(user)
        .select_related("organisation", "programme", "signed_by")
        .prefetch_related("budget_lines", "tranches", "reports")
    )


def grant_history(grant: Grant) -> QuerySet[TransitionLog]:
    """Every transition of the grant and of its tranches, reports and amendments, oldest first."""
    types = ContentType.objects.get_for_models(Grant, Tranche, Report, Amendment)
    return TransitionLog.objects.filter(
        Q(content_type=types[Grant], object_id=grant.pk)
        | Q(content_type=types[Tranche], object_id__in=grant.tranches.values("pk"))
        | Q(content_type=types[Report], object_id__in=grant.reports.values("pk"))
        | Q(content_type=types[Amendment], object_id__in=grant.amendments.values("pk"))
    ).select_related("content_type", "actor")


class GrantFilter(django_filters.FilterSet):
    # Plain numbers, not model choices: an unknown id filters to nothing instead of
    # telling the caller whether it exists.
    programme = django_filters.NumberFilter(field_name="programme_id")
    organisation = django_filters.NumberFilter(field_name="organisation_id")
    state = django_filters.ChoiceFilter(choices=Grant.State.choices)

    class Meta:
        model = Grant
        fields = ["programme", "organisation", "state"]


GRANT_TRANSITION = {200: GrantSerializer, **error_responses(400, 401, 403, 404, 409)}


@extend_schema_view(
    list=extend_schema(
        summary="Your organisations' grants; for programme staff, every grant of the programme"
    ),
    retrieve=extend_schema(
        summary="A grant: budget, tranches, reports and what was paid",
        responses={200: GrantSerializer, **error_responses(401, 404)},
    ),
)
@extend_schema(tags=["grants"])
class GrantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Grants after the award: the agreement, its signature and the grant's history."""

    permission_classes = [NotFoundForAnonymous]
    serializer_class = GrantSerializer
    filterset_class = GrantFilter
    ordering_fields = ["start_date", "end_date", "amount", "created_at", "title"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return Grant.objects.none()
        if self.action in ("list", "retrieve"):
            return grants_for(self.request.user)
        # Writes lock and re-read the row in the service: fetch only what decides the 404.
        return grants_visible_to(self.request.user)

    def _respond(self, grant: Grant) -> Response:
        grant = grants_for(self.request.user).get(pk=grant.pk)
        return Response(self.get_serializer(grant).data)

    @extend_schema(
        summary="Sign the agreement (an administrator of the grantee)",
        description="Accept in the app, or upload the signed copy (multipart, `signed_copy`). "
        "The grant becomes contracted and the tranches due on signature become due. 403 for "
        "a plain member; 409 `invalid_state` once signed.",
        request={
            "multipart/form-data": GrantSignSerializer,
            "application/json": GrantSignSerializer,
        },
        responses={200: GrantSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def sign(self, request: Request, pk: str) -> Response:
        grant = self.get_object()
        data = _valid(GrantSignSerializer, request)
        grant = grant_services.grant_sign(
            grant=grant, actor=request.user, signed_copy=data.get("signed_copy")
        )
        return self._respond(grant)

    # The grant's life after the signature: grant_services.grant_change_state. A sub-grant
    # is run by its programme's managers, an incoming grant by its organisation's admins.

    def _change_state(self, request: Request, name: str) -> Response:
        grant = self.get_object()
        comment = _valid(TransitionCommentSerializer, request)["comment"]
        grant = grant_services.grant_change_state(
            grant=grant, actor=request.user, name=name, comment=comment
        )
        return self._respond(grant)

    @extend_schema(
        summary="Start a contracted grant (its managers)",
        request=TransitionCommentSerializer,
        responses=GRANT_TRANSITION,
    )
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str) -> Response:
        return self._change_state(request, "activate")

    @extend_schema(
        summary="Start closing an active grant (its managers)",
        request=TransitionCommentSerializer,
        responses=GRANT_TRANSITION,
    )
    @action(detail=True, methods=["post"])
    def start_closing(self, request: Request, pk: str) -> Response:
        return self._change_state(request, "start_closing")

    @extend_schema(
        summary="Close a grant that is closing (its managers)",
        description="409 `not_closable` while a report is not approved or a tranche is due "
        "or approved but not paid.",
        request=TransitionCommentSerializer,
        responses=GRANT_TRANSITION,
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        return self._change_state(request, "close")

    @extend_schema(
        summary="Suspend an active grant, giving the reason (its managers)",
        description="400 under `comment` without a reason.",
        request=TransitionCommentSerializer,
        responses=GRANT_TRANSITION,
    )
    @action(detail=True, methods=["post"])
    def suspend(self, request: Request, pk: str) -> Response:
        return self._change_state(request, "suspend")

    @extend_schema(
        summary="Resume a suspended grant (its managers)",
        request=TransitionCommentSerializer,
        responses=GRANT_TRANSITION,
    )
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str) -> Response:
        return self._change_state(request, "resume")

    @extend_schema(
        summary="Terminate an active or suspended grant, giving the reason (its managers)",
        description="400 under `comment` without a reason. Cannot be undone.",
        request=TransitionCommentSerializer,
        responses=GRANT_TRANSITION,
    )
    @action(detail=True, methods=["post"])
    def terminate(self, request: Request, pk: str) -> Response:
        return self._change_state(request, "terminate")

    @extend_schema(
        summary="Every transition of the grant, its tranches, reports and amendments",
        responses={200: GrantHistorySerializer(many=True), **error_responses(401, 404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: Request, pk: str) -> Response:
        entries = grant_history(self.get_object())
        return Response(GrantHistorySerializer(entries, many=True).data)


# Under a grant ------------------------------------------------------------------------

GRANT_ID = OpenApiParameter("grant_id", OpenApiTypes.INT, OpenApiParameter.PATH)


class GrantPartViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    # Shared by tranches, reports, amendments and visits: all hang off a visible grant.
    permission_classes = [NotFoundForAnonymous]
    filter_backends: list = []
    model: type[Model]

    def grant(self) -> Grant:
        if not hasattr(self, "_grant"):
            self._grant = grants_visible_to(self.request.user).get(pk=self.kwargs["grant_id"])
        return self._grant

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self.grant()  # 404 before any input is read, if the grant is not visible

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return self.model.objects.none()
        # With the grant: the policies behind available_transitions read it.
        return self.model.objects.filter(grant=self.grant()).select_related("grant")

    def _respond(self, obj: Model, code: int = status.HTTP_200_OK) -> Response:
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(obj).data, status=code)


# Tranches -----------------------------------------------------------------------------

TRANCHE_TRANSITION = {200: TrancheSerializer, **error_responses(400, 401, 403, 404, 409)}


@extend_schema(tags=["grants"], parameters=[GRANT_ID])
class TrancheViewSet(GrantPartViewSet):
    """The grant's tranches: made due by a trigger (or a manager), approved by someone other
    than who made it due, paid — never above the grant in total."""

    serializer_class = TrancheSerializer
    model = Tranche

    def get_queryset(self):
        return super().get_queryset().select_related("made_due_by", "approved_by", "paid_by")

    @extend_schema(
        summary="Make a planned tranche due by hand (manager)",
        request=None,
        responses=TRANCHE_TRANSITION,
    )
    @action(detail=True, methods=["post"])
    def make_due(self, request: Request, grant_id: str, pk: str) -> Response:
        tranche = grant_services.tranche_make_due(tranche=self.get_object(), actor=request.user)
        return self._respond(tranche)

    @extend_schema(
        summary="Approve a due tranche for payment (approver or manager)",
        description="403 for whoever made the tranche due (maker–checker).",
        request=None,
        responses=TRANCHE_TRANSITION,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, grant_id: str, pk: str) -> Response:
        tranche = grant_services.tranche_approve(tranche=self.get_object(), actor=request.user)
        return self._respond(tranche)

    @extend_schema(
        summary="Record the payment of an approved tranche (approver or manager)",
        description="409 `above_grant` when the total paid would exceed the grant, "
        "`invalid_state` when the tranche is not approved (or already paid).",
        request=TranchePaySerializer,
        responses=TRANCHE_TRANSITION,
    )
    @action(detail=True, methods=["post"])
    def pay(self, request: Request, grant_id: str, pk: str) -> Response:
        tranche = self.get_object()
        data = _valid(TranchePaySerializer, request)
        tranche = grant_services.tranche_pay(
            tranche=tranche,
            actor=request.user,
            paid_on=data["paid_on"],
            amount=data.get("amount"),
            reference=data["reference"],
        )
        return self._respond(tranche)


# Reports ------------------------------------------------------------------------------

REPORT_TRANSITION = {200: ReportSerializer, **error_responses(400, 401, 403, 404, 409)}


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
        data = _valid(ReportUpdateSerializer, request)
        spending, indicators = data.get("spending"), data.get("indicators")
        report = reports.report_save(
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
        return self._respond(report)

    @extend_schema(
        summary="Open a scheduled report for writing (manager)",
        request=None,
        responses=REPORT_TRANSITION,
    )
    @action(detail=True, methods=["post"])
    def open(self, request: Request, grant_id: str, pk: str) -> Response:
        report = reports.report_open(report=self.get_object(), actor=request.user)
        return self._respond(report)

    @extend_schema(
        summary="Submit the report (the grantee)",
        description="400 lists every unanswered question under `narrative`, and under "
        "`currency` a missing exchange rate. Open comments become resolved.",
        request=None,
        responses=REPORT_TRANSITION,
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, grant_id: str, pk: str) -> Response:
        report = reports.report_submit(report=self.get_object(), actor=request.user)
        return self._respond(report)

    @extend_schema(
        summary="Approve a submitted report (manager, never of the grantee organisation)",
        description="The rate used is stored with the report, and the tranches waiting on "
        "it become due. 409 `missing_rate` when the month's rate is missing.",
        request=TransitionCommentSerializer,
        responses=REPORT_TRANSITION,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, grant_id: str, pk: str) -> Response:
        report = self.get_object()
        comment = _valid(TransitionCommentSerializer, request)["comment"]
        report = reports.report_approve(report=report, actor=request.user, comment=comment)
        return self._respond(report)

    @extend_schema(
        summary="Send the report back with a comment per section (manager)",
        request=ReportRequestChangesSerializer,
        responses=REPORT_TRANSITION,
    )
    @action(detail=True, methods=["post"])
    def request_changes(self, request: Request, grant_id: str, pk: str) -> Response:
        report = self.get_object()
        comments = _valid(ReportRequestChangesSerializer, request)["comments"]
        report = reports.report_request_changes(
            report=report, actor=request.user, comments=comments
        )
        return self._respond(report)

    # The reporting schedule, editable per grant.

    def create(self, request: Request, grant_id: str) -> Response:
        data = _valid(ReportInterimCreateSerializer, request)
        report = reports.report_add_interim(grant=self.grant(), actor=request.user, **data)
        return self._respond(report, status.HTTP_201_CREATED)

    def destroy(self, request: Request, grant_id: str, pk: str) -> Response:
        reports.report_remove(report=self.get_object(), actor=request.user)
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
        data = _valid(ReportRescheduleSerializer, request)
        report = reports.report_reschedule(report=report, actor=request.user, **data)
        return self._respond(report)


# Amendments ---------------------------------------------------------------------------

AMENDMENT_TRANSITION = {200: AmendmentSerializer, **error_responses(400, 401, 403, 404, 409)}


@extend_schema_view(
    create=extend_schema(
        summary="Request an amendment, with a justification (the grantee)",
        description="A budget reallocation keeps the total; an extension moves the end "
        "date later. 400 under `changes` otherwise.",
        request=AmendmentCreateSerializer,
        responses={201: AmendmentSerializer, **error_responses(400, 401, 403, 404)},
    ),
)
@extend_schema(tags=["grants"], parameters=[GRANT_ID])
class AmendmentViewSet(GrantPartViewSet):
    """Changes to a grant, requested by the grantee and decided by the manager; an approved
    one changes the grant and keeps the old values in `previous`."""

    serializer_class = AmendmentSerializer
    model = Amendment

    def get_queryset(self):
        return super().get_queryset().select_related("requested_by", "decided_by")

    def create(self, request: Request, grant_id: str) -> Response:
        data = _valid(AmendmentCreateSerializer, request)
        amendment = grant_services.amendment_request(grant=self.grant(), actor=request.user, **data)
        return self._respond(amendment, status.HTTP_201_CREATED)

    def _decide(self, request: Request, *, approve: bool) -> Response:
        amendment = self.get_object()
        comment = _valid(TransitionCommentSerializer, request)["comment"]
        amendment = grant_services.amendment_decide(
            amendment=amendment, actor=request.user, approve=approve, comment=comment
        )
        return self._respond(amendment)

    @extend_schema(
        summary="Approve the amendment: the grant changes (manager)",
        request=TransitionCommentSerializer,
        responses=AMENDMENT_TRANSITION,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, grant_id: str, pk: str) -> Response:
        return self._decide(request, approve=True)

    @extend_schema(
        summary="Reject the amendment, saying why (manager)",
        description="400 under `comment` without a reason.",
        request=TransitionCommentSerializer,
        responses=AMENDMENT_TRANSITION,
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, grant_id: str, pk: str) -> Response:
        return self._decide(request, approve=False)


# Monitoring visits --------------------------------------------------------------------

ACTION_ID = OpenApiParameter("action_id", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema_view(
    create=extend_schema(
        summary="Record a monitoring visit with its follow-up actions (manager)",
        request=MonitoringVisitCreateSerializer,
        responses={201: MonitoringVisitSerializer, **error_responses(400, 401, 403, 404)},
    ),
)
@extend_schema(tags=["grants"], parameters=[GRANT_ID])
class MonitoringVisitViewSet(GrantPartViewSet):
    """Monitoring visits: date, who, findings, and follow-up actions until they are closed."""

    serializer_class = MonitoringVisitSerializer
    model = MonitoringVisit

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("created_by")
            .prefetch_related(
                Prefetch("actions", queryset=FollowUpAction.objects.select_related("closed_by"))
            )
        )

    def create(self, request: Request, grant_id: str) -> Response:
        data = _valid(MonitoringVisitCreateSerializer, request)
        visit = grant_services.visit_record(grant=self.grant(), actor=request.user, **data)
        return self._respond(visit, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Close a follow-up action (manager or grantee)",
        description="409 `invalid_state` when it is already closed.",
        parameters=[ACTION_ID],
        request=FollowUpCloseSerializer,
        responses={200: MonitoringVisitSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"actions/(?P<action_id>[0-9]+)/close",
        url_name="action-close",
    )
    def close_action(self, request: Request, grant_id: str, pk: str, action_id: str) -> Response:
        visit = self.get_object()
        follow_up = visit.actions.select_related("visit__grant").get(pk=action_id)
        note = _valid(FollowUpCloseSerializer, request)["note"]
        grant_services.follow_up_close(action=follow_up, actor=request.user, note=note)
        return self._respond(visit)
