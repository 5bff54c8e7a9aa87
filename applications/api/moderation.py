"""REST API for moderation: consensus scores on one application (its programme's managers)."""

from __future__ import annotations

from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.models import Application
from applications.selectors.applications import application_for_viewer, applications_for
from applications.serializers.applications import ApplicationSerializer
from applications.serializers.review import (
    ConsensusSerializer,
)
from applications.services.moderation import moderation_record_consensus
from workflows.rest import NotFoundForAnonymous, error_responses, valid_data


@extend_schema(tags=["review"])
class ApplicationConsensusApi(APIView):
    permission_classes = [NotFoundForAnonymous]

    @extend_schema(
        summary="Record consensus scores for an application in moderation (manager)",
        description="A score per criterion; a justification wherever it differs from the "
        "mean of the reviews (400 under `scores.<criterion id>.justification`). The "
        "application becomes reviewed; the ranking uses the consensus.",
        request=ConsensusSerializer,
        responses={200: ApplicationSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        application: Application = application_for_viewer(request.user, pk)
        data = valid_data(ConsensusSerializer, request)
        moderation_record_consensus(
            application=application,
            actor=request.user,
            scores={
                row["criterion"]: {"score": row["score"], "justification": row["justification"]}
                for row in data["scores"]
            },
        )
        application = applications_for(request.user).get(pk=application.pk)
        return Response(ApplicationSerializer(application, context={"request": request}).data)
