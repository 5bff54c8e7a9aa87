"""REST API for applications: the application with its answers, budget lines, partners and
attachments; submission, withdrawal, clarification and screening as transitions."""

from __future__ import annotations

from django.db.models import Model
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from applications.models import Application, Attachment, BudgetLine, Partner
from applications.rules import eligibility_checks
from applications.selectors.applications import (
    application_for_viewer,
    application_history,
    applications_for,
    applications_visible_to,
)
from applications.serializers.applications import (
    ApplicationCreateSerializer,
    ApplicationSerializer,
    ApplicationUpdateSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    BudgetLineSerializer,
    ClarificationQuestionSerializer,
    EligibilityCheckSerializer,
    IneligibleSerializer,
    PartnerCreateSerializer,
    PartnerSerializer,
    ResubmitSerializer,
)
from applications.services.applications import (
    application_create,
    application_update,
    attachment_add,
    attachment_remove,
    budget_line_delete,
    budget_line_save,
    partner_add,
    partner_remove,
)
from applications.services.screening import APPLICATION_TRANSITIONS
from grants.serializers.common import TransitionCommentSerializer
from workflows.rest import (
    NotFoundForAnonymous,
    TransitionViewSet,
    error_responses,
    transition_action,
    valid_data,
)
from workflows.serializers import TransitionLogSerializer

TRANSITION_RESPONSES = {200: ApplicationSerializer, **error_responses(400, 403, 404, 409)}


@extend_schema_view(
    list=extend_schema(
        summary="Your organisations' applications; for programme staff, the submitted ones"
    ),
    create=extend_schema(
        summary="Start a draft application to an open call for one of your organisations",
        request=ApplicationCreateSerializer,
        responses={201: ApplicationSerializer, **error_responses(400, 403, 409)},
    ),
    partial_update=extend_schema(
        summary="Save a draft",
        description="Send the `version` you last read. If someone saved since, nothing is "
        "written and the answer is 409 `stale_version`. `budget_lines`, when sent, replace "
        "every line. Rules are checked at submission, not here.",
        request=ApplicationUpdateSerializer,
        responses={200: ApplicationSerializer, **error_responses(400, 403, 404, 409)},
    ),
)
@extend_schema(tags=["applications"])
class ApplicationViewSet(TransitionViewSet):
    """Applications to calls: drafts, submission, screening and their history."""

    permission_classes = [NotFoundForAnonymous]
    serializer_class = ApplicationSerializer
    filterset_fields = ["call", "state", "organisation"]
    ordering_fields = ["updated_at", "submitted_at", "reference", "title"]
    transitions = APPLICATION_TRANSITIONS
    transition_subject = "application"

    def get_queryset(self):
        if self.action in ("list", "retrieve", "eligibility"):
            return applications_for(self.request.user)
        # Writes lock and re-read the row in the service: fetch only what decides the 404.
        return applications_visible_to(self.request.user)

    def respond(self, application: Application, code: int = status.HTTP_200_OK) -> Response:
        application = applications_for(self.request.user).get(pk=application.pk)
        return Response(self.get_serializer(application).data, status=code)

    def create(self, request: Request) -> Response:
        data = valid_data(ApplicationCreateSerializer, request, **self.get_serializer_context())
        application = application_create(actor=request.user, **data)
        return self.respond(application, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        application = self.get_object()
        data = valid_data(ApplicationUpdateSerializer, request)
        answers = data.get("answers")
        application = application_update(
            application=application,
            actor=request.user,
            version=data["version"],
            title=data.get("title"),
            answers={a["question_id"]: a["value"] for a in answers} if answers else None,
            budget_lines=data.get("budget_lines"),
        )
        return self.respond(application)

    # Transitions: POST /applications/<id>/<transition>/ ------------------------------

    submit = transition_action(
        "submit",
        summary="Submit a draft",
        description="Refused with the draft kept: 409 `call_closed` after the closing second, "
        "409 `already_submitted` when it was submitted, 400 `rules_failed` listing every "
        "problem at once.",
        responses=TRANSITION_RESPONSES,
    )

    withdraw = transition_action(
        "withdraw",
        summary="Withdraw the application (before a decision)",
        body=TransitionCommentSerializer,
        responses=TRANSITION_RESPONSES,
    )

    request_clarification = transition_action(
        "request_clarification",
        summary="Ask the applicant a question, with a deadline for the answer (manager)",
        body=ClarificationQuestionSerializer,
        responses=TRANSITION_RESPONSES,
    )

    resubmit = transition_action(
        "resubmit",
        summary="Answer the clarification request and resubmit",
        body=ResubmitSerializer,
        responses=TRANSITION_RESPONSES,
    )

    mark_eligible = transition_action(
        "mark_eligible",
        summary="Confirm the application eligible (manager)",
        body=TransitionCommentSerializer,
        rename={"comment": "reason"},
        responses=TRANSITION_RESPONSES,
    )

    mark_ineligible = transition_action(
        "mark_ineligible",
        summary="Declare the application ineligible, with a reason (manager)",
        body=IneligibleSerializer,
        responses=TRANSITION_RESPONSES,
    )

    # Read-only views of the application ----------------------------------------------

    @extend_schema(
        summary="The eligibility checklist: every rule of the call, evaluated now",
        responses={200: EligibilityCheckSerializer(many=True), **error_responses(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def eligibility(self, request: Request, pk: str) -> Response:
        checks = eligibility_checks(self.get_object())
        return Response(EligibilityCheckSerializer(checks, many=True).data)

    @extend_schema(
        summary="Every transition of the application: who, when, from which state, why",
        responses={200: TransitionLogSerializer(many=True), **error_responses(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: Request, pk: str) -> Response:
        entries = application_history(self.get_object())
        return Response(TransitionLogSerializer(entries, many=True).data)


APPLICATION_ID = OpenApiParameter("application_id", OpenApiTypes.INT, OpenApiParameter.PATH)


WRITE_ERRORS = error_responses(400, 403, 404, 409)


class ApplicationPartViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    # Shared by budget lines, partners and attachments: all hang off a visible application.
    permission_classes = [NotFoundForAnonymous]
    filter_backends: list = []
    model: type[Model]

    def application(self) -> Application:
        if not hasattr(self, "_application"):
            self._application = application_for_viewer(
                self.request.user, self.kwargs["application_id"]
            )
        return self._application

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self.application()  # 404 before any input is read, if the application is not visible

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return self.model.objects.none()
        return self.model.objects.filter(application=self.application())


@extend_schema_view(
    list=extend_schema(parameters=[APPLICATION_ID]),
    retrieve=extend_schema(parameters=[APPLICATION_ID]),
    create=extend_schema(
        summary="Add a budget line to a draft",
        parameters=[APPLICATION_ID],
        responses={201: BudgetLineSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a budget line of a draft",
        parameters=[APPLICATION_ID],
        responses={200: BudgetLineSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Remove a budget line from a draft",
        parameters=[APPLICATION_ID],
        responses={204: None, **error_responses(403, 404, 409)},
    ),
)
@extend_schema(tags=["applications"])
class BudgetLineViewSet(ApplicationPartViewSet):
    """The budget of an application: lines with a requested amount and own contribution."""

    serializer_class = BudgetLineSerializer
    model = BudgetLine

    def create(self, request: Request, application_id: str) -> Response:
        data = valid_data(BudgetLineSerializer, request)
        line = budget_line_save(application=self.application(), actor=request.user, **data)
        return Response(BudgetLineSerializer(line).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, application_id: str, pk: str) -> Response:
        line = self.get_object()
        serializer = BudgetLineSerializer(line, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        line = budget_line_save(
            application=self.application(),
            actor=request.user,
            line=line,
            **serializer.validated_data,
        )
        return Response(BudgetLineSerializer(line).data)

    def destroy(self, request: Request, application_id: str, pk: str) -> Response:
        budget_line_delete(line=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(parameters=[APPLICATION_ID]),
    retrieve=extend_schema(parameters=[APPLICATION_ID]),
    create=extend_schema(
        summary="Add a partner: an existing organisation, or a new one",
        parameters=[APPLICATION_ID],
        request=PartnerCreateSerializer,
        responses={201: PartnerSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Remove a partner from a draft",
        parameters=[APPLICATION_ID],
        responses={204: None, **error_responses(403, 404, 409)},
    ),
)
@extend_schema(tags=["applications"])
class PartnerViewSet(ApplicationPartViewSet):
    """The partner organisations of an application."""

    serializer_class = PartnerSerializer
    model = Partner

    def get_queryset(self):
        return super().get_queryset().select_related("organisation")

    def create(self, request: Request, application_id: str) -> Response:
        data = valid_data(PartnerCreateSerializer, request)
        partner = partner_add(
            application=self.application(),
            actor=request.user,
            role=data["role"],
            organisation=data.get("organisation"),
            new_organisation=data.get("new_organisation"),
        )
        return Response(PartnerSerializer(partner).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, application_id: str, pk: str) -> Response:
        partner_remove(partner=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(parameters=[APPLICATION_ID]),
    retrieve=extend_schema(parameters=[APPLICATION_ID]),
    create=extend_schema(
        summary="Upload a file to a draft (checked by content, not by name)",
        parameters=[APPLICATION_ID],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Remove a file from a draft",
        parameters=[APPLICATION_ID],
        responses={204: None, **error_responses(403, 404, 409)},
    ),
)
@extend_schema(tags=["applications"])
class AttachmentViewSet(ApplicationPartViewSet):
    """The files of an application, downloadable only through this API."""

    serializer_class = AttachmentSerializer
    model = Attachment
    parser_classes = [MultiPartParser, FormParser]

    def create(self, request: Request, application_id: str) -> Response:
        application = self.application()
        upload = AttachmentUploadSerializer(data=request.data, context={"application": application})
        upload.is_valid(raise_exception=True)
        attachment = attachment_add(
            application=application,
            actor=request.user,
            upload=upload.validated_data["file"],
            question=upload.validated_data.get("question"),
        )
        return Response(self.get_serializer(attachment).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, application_id: str, pk: str) -> Response:
        attachment_remove(attachment=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Download the file (only for those who can see the application)",
        parameters=[APPLICATION_ID],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, with its detected content type."
            ),
            **error_responses(404),
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, application_id: str, pk: str) -> FileResponse:
        attachment: Attachment = self.get_object()
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )

    def perform_content_negotiation(self, request: Request, force: bool = False):
        # A client asking for the file's own type (Accept: application/pdf) must get it,
        # not 406; errors still render as JSON.
        return super().perform_content_negotiation(
            request, force=force or self.action == "download"
        )
