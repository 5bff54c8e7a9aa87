"""REST API for review: assignments and their reviews, conflict declarations, automatic
assignment. Every object is fetched for the caller; a reviewer sees only their own assignments."""

from __future__ import annotations

import django_filters
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.models import Attachment, Review, ReviewAssignment
from applications.selectors.review import (
    application_for_reviewer,
    assignment_for_reviewer,
    assignments_visible_to,
    call_for_staff,
    other_reviews_for,
)
from applications.serializers.review import (
    AssignmentCreateSerializer,
    AssignmentSerializer,
    AutoAssignResultSerializer,
    AwardListSerializer,
    DeclarationSerializer,
    OtherReviewSerializer,
    ReviewerApplicationSerializer,
    ReviewSerializer,
    ReviewUpdateSerializer,
    reviewer_file_name,
)
from applications.services.moderation import ASSIGNMENT_TRANSITIONS
from applications.services.review import (
    assignment_create,
    assignments_auto_assign,
    review_save,
)
from grants.models import Call
from grants.serializers.common import TransitionCommentSerializer
from workflows.rest import (
    NotFoundForAnonymous,
    TransitionViewSet,
    error_responses,
    transition_action,
    valid_data,
)


def _review_of(assignment: ReviewAssignment) -> Review:
    """The saved review, or an empty one (not saved: a GET writes nothing)."""
    review = Review.objects.filter(assignment=assignment).prefetch_related(
        "scores"
    ).first() or Review(assignment=assignment)
    review.assignment = assignment
    return review


class AssignmentFilter(django_filters.FilterSet):
    # Plain numbers, not model choices: an unknown id filters to nothing instead of
    # telling the caller whether it exists.
    call = django_filters.NumberFilter(field_name="application__call_id")
    application = django_filters.NumberFilter(field_name="application_id")
    reviewer = django_filters.NumberFilter(field_name="reviewer_id")
    state = django_filters.ChoiceFilter(choices=ReviewAssignment.State.choices)

    class Meta:
        model = ReviewAssignment
        fields = ["call", "application", "reviewer", "state"]


ASSIGNMENT_TRANSITION = {200: AssignmentSerializer, **error_responses(400, 401, 403, 404, 409)}


ATTACHMENT_ID = OpenApiParameter("attachment_id", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(
        summary="Your assignments as a reviewer; for programme staff, their calls' assignments"
    ),
    retrieve=extend_schema(
        summary="An assignment: title, call, deadline, state — never the content",
        description="The applicant is null for reviewers when the call is blind.",
    ),
    create=extend_schema(
        summary="Assign a reviewer from the call's pool by hand (manager)",
        description="Exclusions apply as in automatic assignment (membership, partners, "
        "same country when the call says so): 400 with the reason under `reviewer`. Adding "
        "a reviewer to an application in moderation puts it back into review.",
        request=AssignmentCreateSerializer,
        responses={201: AssignmentSerializer, **error_responses(400, 401, 403, 409)},
    ),
)
@extend_schema(tags=["review"])
class AssignmentViewSet(TransitionViewSet):
    """Review assignments: the conflict-of-interest declaration, the review and its submission."""

    permission_classes = [NotFoundForAnonymous]
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    ordering_fields = ["due_at", "state", "created_at"]
    transitions = ASSIGNMENT_TRANSITIONS
    transition_subject = "assignment"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return ReviewAssignment.objects.none()
        return assignments_visible_to(self.request.user)

    def create(self, request: Request) -> Response:
        data = valid_data(AssignmentCreateSerializer, request, **self.get_serializer_context())
        assignment = assignment_create(
            application=data["application"], reviewer=data["reviewer"], actor=request.user
        )
        return self.respond(assignment, status.HTTP_201_CREATED)

    # Transitions: POST /assignments/<id>/<transition>/ -------------------------------

    @extend_schema(
        summary="Declare a conflict of interest, or none (the assigned reviewer)",
        description="No conflict opens the application's content. A conflict (with a "
        "reason) recuses the assignment and a replacement reviewer is assigned.",
        request=DeclarationSerializer,
        responses=ASSIGNMENT_TRANSITION,
    )
    @action(detail=True, methods=["post"])
    def declare(self, request: Request, pk: str) -> Response:
        # One action for two transitions: the body says which.
        assignment = self.get_object()
        data = valid_data(DeclarationSerializer, request)
        name = "declare_conflict" if data["conflict"] else "declare_no_conflict"
        self.transitions[name](assignment=assignment, actor=request.user, reason=data["reason"])
        return self.respond(assignment)

    decline = transition_action(
        "decline",
        summary="Decline the assignment before declaring (the assigned reviewer)",
        body=TransitionCommentSerializer,
        rename={"comment": "reason"},
        responses=ASSIGNMENT_TRANSITION,
    )

    submit = transition_action(
        "submit",
        summary="Submit the review: it is locked (the assigned reviewer)",
        description="400 `invalid` lists every missing score, comment and the "
        "recommendation at once. When the application's reviews are all in it becomes "
        "reviewed, or goes to moderation when the totals diverge.",
        responses=ASSIGNMENT_TRANSITION,
    )

    reopen = transition_action(
        "reopen",
        summary="Reopen a submitted review (moderator)",
        description="The application goes back into review until it is submitted again.",
        body=TransitionCommentSerializer,
        responses=ASSIGNMENT_TRANSITION,
    )

    # The reviewer's own reads and writes: 404 for anyone else -----------------------

    @extend_schema(
        methods=["GET"],
        summary="Your review: a row per criterion, scored or not (null, never zero)",
        responses={200: ReviewSerializer, **error_responses(401, 404)},
    )
    @extend_schema(
        methods=["PATCH"],
        summary="Save your review in progress (autosave)",
        description="Send the `version` you last read; if the review was saved since, "
        "nothing is written and the answer is 409 `stale_version`. Scores outside 0..maximum "
        "or off the call's step answer 400 under `scores.<criterion id>.score`. A blank "
        "score is saved as null. 409 `not_editable` before declaring or after submitting.",
        request=ReviewUpdateSerializer,
        responses={200: ReviewSerializer, **error_responses(400, 401, 404, 409)},
    )
    @action(detail=True, methods=["get", "patch"], url_path="review", filter_backends=[])
    def review(self, request: Request, pk: str) -> Response:
        assignment = assignment_for_reviewer(request.user, pk)
        if request.method == "PATCH":
            data = valid_data(ReviewUpdateSerializer, request)
            review_save(
                assignment=assignment,
                actor=request.user,
                scores={
                    row["criterion"]: {k: row[k] for k in ("score", "comment") if k in row}
                    for row in data.get("scores", [])
                },
                overall_comment=data.get("overall_comment"),
                recommendation=data.get("recommendation"),
                version=data["version"],
            )
            assignment = assignment_for_reviewer(request.user, pk)
        serializer = ReviewSerializer(_review_of(assignment), context={"request": request})
        return Response(serializer.data)

    @extend_schema(
        summary="The application's content, once you declared no conflict of interest",
        description="404 before the declaration, after a conflict, and for anyone but the "
        "assigned reviewer. The applicant is null when the call is blind.",
        responses={200: ReviewerApplicationSerializer, **error_responses(401, 404)},
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def application(self, request: Request, pk: str) -> Response:
        assignment = assignment_for_reviewer(request.user, pk)
        application = application_for_reviewer(assignment)
        serializer = ReviewerApplicationSerializer(
            application, context={"request": request, "assignment": assignment}
        )
        return Response(serializer.data)

    @extend_schema(
        summary="Download a file of the application (after declaring no conflict)",
        description="Under a neutral file name in blind review.",
        parameters=[ATTACHMENT_ID],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, with its detected content type."
            ),
            **error_responses(401, 404),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[0-9]+)",
        url_name="attachment",
        filter_backends=[],
    )
    def attachment(self, request: Request, pk: str, attachment_id: str) -> FileResponse:
        assignment = assignment_for_reviewer(request.user, pk)
        application = application_for_reviewer(assignment)
        attachment: Attachment = application.attachments.get(pk=attachment_id)
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=reviewer_file_name(assignment, attachment),
            content_type=attachment.content_type,
        )

    @extend_schema(
        summary="Other reviewers' submitted reviews, without their names",
        description="Empty until you submitted your own, and always when the call keeps "
        "reviews private.",
        responses={200: OtherReviewSerializer(many=True), **error_responses(401, 404)},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="other-reviews",
        pagination_class=None,
        filter_backends=[],
    )
    def other_reviews(self, request: Request, pk: str) -> Response:
        reviews = other_reviews_for(assignment_for_reviewer(request.user, pk))
        rows = [
            {"label": _("Reviewer %(n)d") % {"n": n}, "review": r}
            for n, r in enumerate(reviews, start=1)
        ]
        return Response(OtherReviewSerializer(rows, many=True).data)

    def perform_content_negotiation(self, request: Request, force: bool = False):
        # A client asking for the file's own type (Accept: application/pdf) must get it.
        return super().perform_content_negotiation(
            request, force=force or self.action == "attachment"
        )


class CallReviewApi(APIView):
    """Shared by the call's review resources: programme staff only, 404 for anyone else."""

    permission_classes = [NotFoundForAnonymous]

    def call(self) -> Call:
        return call_for_staff(self.request.user, self.kwargs["call_id"])


@extend_schema(tags=["review"])
class CallAutoAssignApi(CallReviewApi):
    @extend_schema(
        summary="Assign reviewers to every application that lacks them (manager)",
        description="Load-balanced over the pool, honouring exclusions and declared "
        "conflicts, deterministic; running it again only fills the gaps.",
        request=None,
        responses={200: AutoAssignResultSerializer, **error_responses(401, 403, 404, 409)},
    )
    def post(self, request: Request, call_id: int) -> Response:
        created = assignments_auto_assign(call=self.call(), actor=request.user)
        return Response(AutoAssignResultSerializer({"created": created}).data)


AWARD_LIST_TRANSITION = {200: AwardListSerializer, **error_responses(400, 401, 403, 404, 409)}
