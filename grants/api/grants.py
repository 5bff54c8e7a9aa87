"""REST API for grants after the award: the grant and its agreement, amendments and monitoring
visits. A grant is seen by the grantee's members and its programme's staff; anyone else gets
404 on it and on everything under it."""

from __future__ import annotations

import django_filters
from django.db.models import Model, Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from grants.models import Amendment, FollowUpAction, Grant, MonitoringVisit
from grants.selectors.grants import grant_for_viewer, grant_history, grants_for, grants_visible_to
from grants.serializers.common import TransitionCommentSerializer
from grants.serializers.grants import (
    AmendmentCreateSerializer,
    AmendmentSerializer,
    FollowUpCloseSerializer,
    GrantHistorySerializer,
    GrantSerializer,
    GrantSignSerializer,
    MonitoringVisitCreateSerializer,
    MonitoringVisitSerializer,
    ReportSerializer,
    TrancheSerializer,
)
from grants.services.amendments import AMENDMENT_TRANSITIONS, amendment_request
from grants.services.grants import GRANT_TRANSITIONS
from grants.services.visits import follow_up_close, visit_record
from workflows.rest import (
    NotFoundForAnonymous,
    TransitionViewSet,
    error_responses,
    transition_action,
    valid_data,
)


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
class GrantViewSet(TransitionViewSet):
    """Grants after the award: the agreement, its signature and the grant's history."""

    permission_classes = [NotFoundForAnonymous]
    serializer_class = GrantSerializer
    filterset_class = GrantFilter
    ordering_fields = ["start_date", "end_date", "amount", "created_at", "title"]
    transitions = GRANT_TRANSITIONS
    transition_subject = "grant"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return Grant.objects.none()
        if self.action in ("list", "retrieve"):
            return grants_for(self.request.user)
        # Writes lock and re-read the row in the service: fetch only what decides the 404.
        return grants_visible_to(self.request.user)

    def respond(self, grant: Grant, code: int = status.HTTP_200_OK) -> Response:
        grant = grants_for(self.request.user).get(pk=grant.pk)
        return Response(self.get_serializer(grant).data, status=code)

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
        return self.transition(request, "sign", GrantSignSerializer)

    # The grant's life after the signature: grants.services.grants.grant_change_state. A sub-grant
    # is run by its programme's managers, an incoming grant by its organisation's admins.

    activate = transition_action(
        "activate",
        summary="Start a contracted grant (its managers)",
        body=TransitionCommentSerializer,
        responses=GRANT_TRANSITION,
    )

    start_closing = transition_action(
        "start_closing",
        summary="Start closing an active grant (its managers)",
        body=TransitionCommentSerializer,
        responses=GRANT_TRANSITION,
    )

    close = transition_action(
        "close",
        summary="Close a grant that is closing (its managers)",
        description="409 `not_closable` while a report is not approved or a tranche is due "
        "or approved but not paid.",
        body=TransitionCommentSerializer,
        responses=GRANT_TRANSITION,
    )

    suspend = transition_action(
        "suspend",
        summary="Suspend an active grant, giving the reason (its managers)",
        description="400 under `comment` without a reason.",
        body=TransitionCommentSerializer,
        responses=GRANT_TRANSITION,
    )

    resume = transition_action(
        "resume",
        summary="Resume a suspended grant (its managers)",
        body=TransitionCommentSerializer,
        responses=GRANT_TRANSITION,
    )

    terminate = transition_action(
        "terminate",
        summary="Terminate an active or suspended grant, giving the reason (its managers)",
        description="400 under `comment` without a reason. Cannot be undone.",
        body=TransitionCommentSerializer,
        responses=GRANT_TRANSITION,
    )

    @extend_schema(
        summary="Every transition of the grant, its tranches, reports and amendments",
        responses={200: GrantHistorySerializer(many=True), **error_responses(401, 404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: Request, pk: str) -> Response:
        entries = grant_history(self.get_object())
        return Response(GrantHistorySerializer(entries, many=True).data)


GRANT_ID = OpenApiParameter("grant_id", OpenApiTypes.INT, OpenApiParameter.PATH)


class GrantPartViewSet(TransitionViewSet):
    # Shared by tranches, reports, amendments and visits: all hang off a visible grant.
    permission_classes = [NotFoundForAnonymous]
    filter_backends: list = []
    model: type[Model]

    def grant(self) -> Grant:
        if not hasattr(self, "_grant"):
            self._grant = grant_for_viewer(self.request.user, self.kwargs["grant_id"])
        return self._grant

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self.grant()  # 404 before any input is read, if the grant is not visible

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return self.model.objects.none()
        # With the grant: the policies behind available_transitions read it.
        return self.model.objects.filter(grant=self.grant()).select_related("grant")


TRANCHE_TRANSITION = {200: TrancheSerializer, **error_responses(400, 401, 403, 404, 409)}


REPORT_TRANSITION = {200: ReportSerializer, **error_responses(400, 401, 403, 404, 409)}


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
    transitions = AMENDMENT_TRANSITIONS
    transition_subject = "amendment"

    def get_queryset(self):
        return super().get_queryset().select_related("requested_by", "decided_by")

    def create(self, request: Request, grant_id: str) -> Response:
        data = valid_data(AmendmentCreateSerializer, request)
        amendment = amendment_request(grant=self.grant(), actor=request.user, **data)
        return self.respond(amendment, status.HTTP_201_CREATED)

    approve = transition_action(
        "approve",
        summary="Approve the amendment: the grant changes (manager)",
        body=TransitionCommentSerializer,
        responses=AMENDMENT_TRANSITION,
    )

    reject = transition_action(
        "reject",
        summary="Reject the amendment, saying why (manager)",
        description="400 under `comment` without a reason.",
        body=TransitionCommentSerializer,
        responses=AMENDMENT_TRANSITION,
    )


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
        data = valid_data(MonitoringVisitCreateSerializer, request)
        visit = visit_record(grant=self.grant(), actor=request.user, **data)
        return self.respond(visit, status.HTTP_201_CREATED)

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
        note = valid_data(FollowUpCloseSerializer, request)["note"]
        follow_up_close(action=follow_up, actor=request.user, note=note)
        return self.respond(visit)
