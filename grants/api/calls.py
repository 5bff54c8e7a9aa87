"""REST API for calls with their questions and criteria."""

from __future__ import annotations

from collections.abc import Callable

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from grants.models import Call
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
    CALL_TRANSITIONS,
    call_create,
    call_criterion_create,
    call_criterion_delete,
    call_criterion_update,
    call_question_create,
    call_question_delete,
    call_question_update,
    call_update,
)
from workflows.rest import (
    TransitionViewSet,
    error_responses,
    transition_action,
    valid_data,
)

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
class CallViewSet(TransitionViewSet):
    """Calls for proposals: anyone may read the published ones."""

    serializer_class = CallSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    filterset_fields = ["state", "programme", "scope"]
    ordering_fields = ["closes_at", "opens_at", "title", "created_at"]
    transitions = CALL_TRANSITIONS
    transition_subject = "call"

    def get_queryset(self):
        return calls_for(self.request.user)

    def create(self, request: Request) -> Response:
        data = valid_data(CallCreateSerializer, request, **self.get_serializer_context())
        call = call_create(actor=request.user, **data)
        return self.respond(call, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        call = self.get_object()
        serializer = CallUpdateSerializer(call, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        call = call_update(call=call, actor=request.user, **serializer.validated_data)
        return self.respond(call)

    # Transitions: POST /calls/<id>/<transition>/, each with an optional comment for the log.

    publish = transition_action(
        "publish",
        summary="Publish a draft call: it opens for applications",
        body=TransitionCommentSerializer,
        responses=TRANSITION_RESPONSES,
    )

    close = transition_action(
        "close",
        summary="Close an open call before its closing time",
        body=TransitionCommentSerializer,
        responses=TRANSITION_RESPONSES,
    )

    cancel = transition_action(
        "cancel",
        summary="Cancel a draft or open call",
        body=TransitionCommentSerializer,
        responses=TRANSITION_RESPONSES,
    )

    start_review = transition_action(
        "start_review",
        summary="Start the review of a closed call",
        body=TransitionCommentSerializer,
        responses=TRANSITION_RESPONSES,
    )

    archive = transition_action(
        "archive",
        summary="Archive a decided call: it leaves the public list",
        body=TransitionCommentSerializer,
        responses=TRANSITION_RESPONSES,
    )


CALL_ID = OpenApiParameter("call_id", OpenApiTypes.INT, OpenApiParameter.PATH)


class CallPartViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    # Shared by questions and criteria: both hang off a call the user can see, and are written by
    # their services: created with `call=…`, changed and removed with `<part>=…`.

    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends: list = []
    related_name = ""  # the call's related name for its parts
    part = ""  # the services' keyword for one part: "question", "criterion"
    create_part: Callable[..., object]
    update_part: Callable[..., object]
    delete_part: Callable[..., None]

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

    def create(self, request: Request, call_id: str) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = self.create_part(call=self.call(), actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, call_id: str, pk: str) -> Response:
        obj = self.get_object()
        serializer = self.get_serializer(obj, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        obj = self.update_part(**{self.part: obj}, actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(obj).data)

    def destroy(self, request: Request, call_id: str, pk: str) -> Response:
        self.delete_part(**{self.part: self.get_object()}, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def call_part_schema(serializer, *, create: str, update: str, destroy: str):
    """The operations of a call's parts, with their summaries."""
    changed = error_responses(400, 401, 403, 404, 409)
    return extend_schema_view(
        list=extend_schema(parameters=[CALL_ID]),
        retrieve=extend_schema(parameters=[CALL_ID]),
        create=extend_schema(
            summary=create, parameters=[CALL_ID], responses={201: serializer, **changed}
        ),
        partial_update=extend_schema(
            summary=update, parameters=[CALL_ID], responses={200: serializer, **changed}
        ),
        destroy=extend_schema(
            summary=destroy,
            parameters=[CALL_ID],
            responses={204: None, **error_responses(401, 403, 404, 409)},
        ),
    )


@call_part_schema(
    CallQuestionSerializer,
    create="Add a question to a draft call's form",
    update="Change a question (draft calls only)",
    destroy="Remove a question (draft calls only)",
)
@extend_schema(tags=["calls"])
class CallQuestionViewSet(CallPartViewSet):
    """The questions of a call's application form; they change only while it is a draft."""

    serializer_class = CallQuestionSerializer
    related_name = "questions"
    part = "question"
    create_part = staticmethod(call_question_create)
    update_part = staticmethod(call_question_update)
    delete_part = staticmethod(call_question_delete)


@call_part_schema(
    CriterionSerializer,
    create="Add a scoring criterion (until review starts)",
    update="Change a scoring criterion (until review starts)",
    destroy="Remove a scoring criterion (until review starts)",
)
@extend_schema(tags=["calls"])
class CriterionViewSet(CallPartViewSet):
    """The scoring criteria of a call; they change until review starts."""

    serializer_class = CriterionSerializer
    related_name = "criteria"
    part = "criterion"
    create_part = staticmethod(call_criterion_create)
    update_part = staticmethod(call_criterion_update)
    delete_part = staticmethod(call_criterion_delete)
