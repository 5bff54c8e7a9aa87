"""REST API for calls with their questions and criteria."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from grants.models import Call, CallQuestion, Criterion
from grants.selectors.calls import calls_for
from grants.serializers.calls import (
    CallCreateSerializer,
    CallQuestionSerializer,
    CallSerializer,
    CallUpdateSerializer,
    CriterionSerializer,
)
from grants.serializers.common import TransitionCommentSerializer
from grants.services.calls import (
    CALL_TRANSITION_SERVICES,
    call_create,
    call_criterion_create,
    call_criterion_delete,
    call_criterion_update,
    call_question_create,
    call_question_delete,
    call_question_update,
    call_update,
)
from workflows.api import error_responses

ORGANISATION_ID = OpenApiParameter("organisation_id", OpenApiTypes.INT, OpenApiParameter.PATH)


TRANSITION_RESPONSES = {200: CallSerializer, **error_responses(400, 401, 403, 404, 409)}


@extend_schema_view(
    list=extend_schema(summary="Published calls, and every call of the programmes you staff"),
    create=extend_schema(
        summary="Create a draft call in a programme you manage",
        request=CallCreateSerializer,
        responses={201: CallSerializer, **error_responses(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="Change a call; once published its rules are frozen",
        description="After publication only the texts, a later closing time, a larger budget "
        "and reviewers per application may change; anything else answers 400.",
        request=CallUpdateSerializer,
        responses={200: CallSerializer, **error_responses(400, 401, 403, 404)},
    ),
)
@extend_schema(tags=["calls"])
class CallViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Calls for proposals: anyone may read the published ones."""

    serializer_class = CallSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    filterset_fields = ["state", "programme", "scope"]
    ordering_fields = ["closes_at", "opens_at", "title", "created_at"]

    def get_queryset(self):
        return calls_for(self.request.user)

    def _respond(self, call: Call, code: int = status.HTTP_200_OK) -> Response:
        call = self.get_queryset().get(pk=call.pk)
        return Response(self.get_serializer(call).data, status=code)

    def create(self, request: Request) -> Response:
        serializer = CallCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        call = call_create(actor=request.user, **serializer.validated_data)
        return self._respond(call, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        call = self.get_object()
        serializer = CallUpdateSerializer(call, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        call = call_update(call=call, actor=request.user, **serializer.validated_data)
        return self._respond(call)

    def _transition(self, request: Request, name: str) -> Response:
        call = self.get_object()
        body = TransitionCommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        service = CALL_TRANSITION_SERVICES[name]
        call = service(call=call, actor=request.user, comment=body.validated_data["comment"])
        return self._respond(call)

    @extend_schema(
        summary="Publish a draft call: it opens for applications",
        request=TransitionCommentSerializer,
        responses=TRANSITION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        return self._transition(request, "publish")

    @extend_schema(
        summary="Close an open call before its closing time",
        request=TransitionCommentSerializer,
        responses=TRANSITION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        return self._transition(request, "close")

    @extend_schema(
        summary="Cancel a draft or open call",
        request=TransitionCommentSerializer,
        responses=TRANSITION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        return self._transition(request, "cancel")

    @extend_schema(
        summary="Start the review of a closed call",
        request=TransitionCommentSerializer,
        responses=TRANSITION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def start_review(self, request: Request, pk: str) -> Response:
        return self._transition(request, "start_review")


CALL_ID = OpenApiParameter("call_id", OpenApiTypes.INT, OpenApiParameter.PATH)


class CallPartViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    # Shared by questions and criteria: both hang off a call the user can see.

    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends: list = []
    related_name = ""

    def call(self) -> Call:
        if not hasattr(self, "_call"):
            self._call = calls_for(self.request.user).get(pk=self.kwargs["call_id"])
        return self._call

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self.call()  # 404 before any input is read, if the call is not visible

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return self.get_serializer_class().Meta.model.objects.none()
        return getattr(self.call(), self.related_name).all()


@extend_schema_view(
    list=extend_schema(parameters=[CALL_ID]),
    retrieve=extend_schema(parameters=[CALL_ID]),
    create=extend_schema(
        summary="Add a question to a draft call's form",
        parameters=[CALL_ID],
        responses={201: CallQuestionSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
    partial_update=extend_schema(
        summary="Change a question (draft calls only)",
        parameters=[CALL_ID],
        responses={200: CallQuestionSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
    destroy=extend_schema(
        summary="Remove a question (draft calls only)",
        parameters=[CALL_ID],
        responses={204: None, **error_responses(401, 403, 404, 409)},
    ),
)
@extend_schema(tags=["calls"])
class CallQuestionViewSet(CallPartViewSet):
    """The questions of a call's application form; they change only while it is a draft."""

    serializer_class = CallQuestionSerializer
    related_name = "questions"

    def create(self, request: Request, call_id: str) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        question = call_question_create(
            call=self.call(), actor=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(question).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, call_id: str, pk: str) -> Response:
        question: CallQuestion = self.get_object()
        serializer = self.get_serializer(question, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        question = call_question_update(
            question=question, actor=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(question).data)

    def destroy(self, request: Request, call_id: str, pk: str) -> Response:
        call_question_delete(question=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(parameters=[CALL_ID]),
    retrieve=extend_schema(parameters=[CALL_ID]),
    create=extend_schema(
        summary="Add a scoring criterion (until review starts)",
        parameters=[CALL_ID],
        responses={201: CriterionSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
    partial_update=extend_schema(
        summary="Change a scoring criterion (until review starts)",
        parameters=[CALL_ID],
        responses={200: CriterionSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
    destroy=extend_schema(
        summary="Remove a scoring criterion (until review starts)",
        parameters=[CALL_ID],
        responses={204: None, **error_responses(401, 403, 404, 409)},
    ),
)
@extend_schema(tags=["calls"])
class CriterionViewSet(CallPartViewSet):
    """The scoring criteria of a call; they change until review starts."""

    serializer_class = CriterionSerializer
    related_name = "criteria"

    def create(self, request: Request, call_id: str) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        criterion = call_criterion_create(
            call=self.call(), actor=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(criterion).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, call_id: str, pk: str) -> Response:
        criterion: Criterion = self.get_object()
        serializer = self.get_serializer(criterion, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        criterion = call_criterion_update(
            criterion=criterion, actor=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(criterion).data)

    def destroy(self, request: Request, call_id: str, pk: str) -> Response:
        call_criterion_delete(criterion=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
