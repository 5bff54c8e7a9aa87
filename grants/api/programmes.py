"""REST API for programmes."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from grants.selectors.programmes import programmes_visible_to
from grants.serializers.programmes import ProgrammeSerializer, ProgrammeUpdateSerializer
from grants.services.programmes import programme_create, programme_update
from workflows.rest import NotFoundForAnonymous, error_responses


@extend_schema_view(
    create=extend_schema(
        summary="Start a programme owned by an organisation you administer; you manage it",
        responses={201: ProgrammeSerializer, **error_responses(400, 403)},
    ),
    partial_update=extend_schema(
        summary="Change a programme you manage: for now, when its deadline reminders go",
        request=ProgrammeUpdateSerializer,
        responses={200: ProgrammeSerializer, **error_responses(400, 403, 404)},
    ),
)
@extend_schema(tags=["programmes"])
class ProgrammeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Programmes you staff, and those with a published call."""

    permission_classes = [NotFoundForAnonymous]
    serializer_class = ProgrammeSerializer
    filterset_fields = ["owner", "currency"]
    ordering_fields = ["title", "start_date", "created_at"]

    def get_queryset(self):
        return programmes_visible_to(self.request.user)

    def create(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        programme = programme_create(actor=request.user, **serializer.validated_data)
        programme = self.get_queryset().get(pk=programme.pk)
        return Response(self.get_serializer(programme).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        programme = self.get_object()
        serializer = ProgrammeUpdateSerializer(programme, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        programme = programme_update(
            programme=programme, actor=request.user, **serializer.validated_data
        )
        programme = self.get_queryset().get(pk=programme.pk)
        return Response(self.get_serializer(programme).data)
