"""REST API for organisations, programmes and calls (with their questions and criteria).

Views stay thin: every object is fetched through a *_visible_to selector (so an object you
may not see is a 404), every write goes through a service (which answers 400/403/409).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from grants import policies, services
from grants.models import (
    Call,
    CallQuestion,
    Criterion,
    Membership,
    MembershipInvitation,
    Organisation,
)
from grants.selectors import (
    calls_public,
    calls_visible_to,
    organisations_of,
    organisations_visible_to,
    programmes_visible_to,
)
from grants.serializers import (
    CallCreateSerializer,
    CallQuestionSerializer,
    CallSerializer,
    CallUpdateSerializer,
    CriterionSerializer,
    MemberInviteResultSerializer,
    MemberInviteSerializer,
    MemberRoleSerializer,
    MemberSerializer,
    MyInvitationSerializer,
    OrganisationInvitationSerializer,
    OrganisationSerializer,
    ProgrammeSerializer,
    ProgrammeUpdateSerializer,
    TransitionCommentSerializer,
)
from workflows.api import NotFoundForAnonymous, error_responses
from workflows.exceptions import NotPermitted


def calls_for(user) -> QuerySet[Call]:
    """What this user may read: an anonymous visitor, only published calls."""
    calls = calls_visible_to(user) if user.is_authenticated else calls_public()
    return calls.prefetch_related("questions", "criteria")


# Organisations ------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        summary="Register an organisation; you become its administrator",
        responses={201: OrganisationSerializer, **error_responses(400)},
    ),
    partial_update=extend_schema(
        summary="Change an organisation's profile (its administrators)",
        responses={200: OrganisationSerializer, **error_responses(400, 403, 404)},
    ),
)
@extend_schema(tags=["organisations"])
class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Your organisations, and those that applied to or run programmes you staff."""

    permission_classes = [NotFoundForAnonymous]
    serializer_class = OrganisationSerializer
    filterset_fields = ["country", "org_type"]
    ordering_fields = ["legal_name", "created_at"]

    def get_queryset(self):
        return organisations_visible_to(self.request.user)

    def create(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organisation = services.organisation_create(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(organisation).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        organisation = self.get_object()
        serializer = self.get_serializer(organisation, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        organisation = services.organisation_update(
            organisation=organisation, actor=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(organisation).data)


# An organisation's people -------------------------------------------------------------

ORGANISATION_ID = OpenApiParameter("organisation_id", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(
        summary="The people of an organisation you belong to, administrators first",
        parameters=[ORGANISATION_ID],
    ),
    retrieve=extend_schema(parameters=[ORGANISATION_ID]),
    create=extend_schema(
        summary="Invite a person by e-mail (administrators)",
        description="An existing account is never added: it gets an invitation (see "
        "…/invitations/), which its owner accepts or declines, and becomes a member only if "
        "it accepts. A new address gets an account without a password, is a member at once, "
        "and gets an e-mail with a link to set one. The answer is the same in both cases "
        "(202). Someone already in the organisation is refused (400, code `already_member`), "
        "and so is someone already invited (400, code `already_invited`).",
        parameters=[ORGANISATION_ID],
        request=MemberInviteSerializer,
        responses={202: MemberInviteResultSerializer, **error_responses(400, 403, 404)},
    ),
    partial_update=extend_schema(
        summary="Change a member's role (administrators)",
        description="Demoting the organisation's last administrator is refused: 409, code "
        "`last_admin`.",
        parameters=[ORGANISATION_ID],
        request=MemberRoleSerializer,
        responses={200: MemberSerializer, **error_responses(400, 403, 404, 409)},
    ),
    destroy=extend_schema(
        summary="Remove a member, or leave (administrators)",
        description="Removing the organisation's last administrator, yourself included, is "
        "refused: 409, code `last_admin`.",
        parameters=[ORGANISATION_ID],
        responses={204: None, **error_responses(403, 404, 409)},
    ),
)
@extend_schema(tags=["organisations"])
class OrganisationMemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Who belongs to the organisation, in which role. Its members read; its administrators
    invite, change roles and remove. Anyone else gets 404."""

    permission_classes = [NotFoundForAnonymous]
    serializer_class = MemberSerializer
    filterset_fields = ["role"]
    ordering_fields = ["created_at", "role"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def organisation(self) -> Organisation:
        if not hasattr(self, "_organisation"):
            self._organisation = organisations_of(self.request.user).get(
                pk=self.kwargs["organisation_id"]
            )
        return self._organisation

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self.organisation()  # 404 before any input is read, if you are not a member

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return Membership.objects.none()
        return (
            Membership.objects.filter(organisation=self.organisation())
            .select_related("user")
            .order_by("role", "user__full_name", "user__email")
        )

    def _require_admin(self) -> None:
        """403 for a member who is not an administrator, before the input is looked at."""
        if not policies.is_org_admin(self.request.user, self.organisation().pk):
            raise NotPermitted(
                _("Only an administrator of the organisation can manage its people.")
            )

    def create(self, request: Request, organisation_id: str) -> Response:
        self._require_admin()
        serializer = MemberInviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.membership_invite(
            organisation=self.organisation(), actor=request.user, **serializer.validated_data
        )
        # The same answer whether the address had an account or not.
        body = {
            "detail": _("Invitation sent to %(email)s.") % {"email": result.email},
            "email": result.email,
            "role": result.role,
        }
        return Response(MemberInviteResultSerializer(body).data, status=status.HTTP_202_ACCEPTED)

    def partial_update(self, request: Request, organisation_id: str, pk: str) -> Response:
        membership = self.get_object()
        self._require_admin()
        serializer = MemberRoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.membership_change_role(
            membership=membership, actor=request.user, role=serializer.validated_data["role"]
        )
        return Response(MemberSerializer(membership).data)

    def destroy(self, request: Request, organisation_id: str, pk: str) -> Response:
        membership = self.get_object()
        self._require_admin()
        services.membership_remove(membership=membership, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Send the set-password invitation again (administrators)",
        description="For a member who has not set a password yet; anyone else is 409, code "
        "`already_active`.",
        parameters=[ORGANISATION_ID],
        request=None,
        responses={200: MemberSerializer, **error_responses(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def invite(self, request: Request, organisation_id: str, pk: str) -> Response:
        membership = self.get_object()
        self._require_admin()
        membership = services.membership_invitation_resend(
            membership=membership, actor=request.user
        )
        return Response(MemberSerializer(membership).data)


@extend_schema_view(
    list=extend_schema(
        summary="Invitations of an organisation you belong to that nobody answered yet",
        description="By e-mail address only: the invited person's name is theirs to share, "
        "once they accept.",
        parameters=[ORGANISATION_ID],
    ),
    retrieve=extend_schema(parameters=[ORGANISATION_ID]),
    destroy=extend_schema(
        summary="Withdraw an invitation not answered yet (administrators)",
        parameters=[ORGANISATION_ID],
        responses={204: None, **error_responses(403, 404, 409)},
    ),
)
@extend_schema(tags=["organisations"])
class OrganisationInvitationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet
):
    """Who the organisation asked to join and has not answered. Its members read; its
    administrators withdraw (invitations are made by POST …/members/). Anyone else gets 404."""

    permission_classes = [NotFoundForAnonymous]
    serializer_class = OrganisationInvitationSerializer
    filterset_fields = ["role"]
    ordering_fields = ["created_at", "role"]
    http_method_names = ["get", "delete", "head", "options"]

    def organisation(self) -> Organisation:
        if not hasattr(self, "_organisation"):
            self._organisation = organisations_of(self.request.user).get(
                pk=self.kwargs["organisation_id"]
            )
        return self._organisation

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self.organisation()  # 404 before anything else, if you are not a member

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return MembershipInvitation.objects.none()
        return (
            MembershipInvitation.objects.filter(
                organisation=self.organisation(), answered_at__isnull=True
            )
            .select_related("user")
            .order_by("created_at", "pk")
        )

    def destroy(self, request: Request, organisation_id: str, pk: str) -> Response:
        invitation = self.get_object()
        if not policies.is_org_admin(request.user, self.organisation().pk):
            raise NotPermitted(
                _("Only an administrator of the organisation can manage its people.")
            )
        services.membership_invitation_withdraw(invitation=invitation, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        summary="Your invitations to join an organisation that you have not answered yet"
    ),
    retrieve=extend_schema(summary="One of your invitations, open or answered"),
)
@extend_schema(tags=["accounts"])
class MyInvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Your own invitations: accept to become a member, or decline. Nobody else's exists
    here (404)."""

    permission_classes = [NotFoundForAnonymous]
    serializer_class = MyInvitationSerializer
    ordering_fields = ["created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return MembershipInvitation.objects.none()
        invitations = MembershipInvitation.objects.filter(user=self.request.user)
        if self.action == "list":
            invitations = invitations.filter(answered_at__isnull=True)
        return invitations.select_related("organisation", "invited_by").order_by(
            "-created_at", "-pk"
        )

    def _answered(self, invitation: MembershipInvitation) -> Response:
        invitation = self.get_queryset().get(pk=invitation.pk)
        return Response(self.get_serializer(invitation).data)

    @extend_schema(
        summary="Accept an invitation: you become a member, in the role it names",
        description="Only while it is open: an invitation answered already is 409 (code "
        "`invitation_answered`).",
        request=None,
        responses={200: MyInvitationSerializer, **error_responses(401, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        invitation = self.get_object()
        services.membership_invitation_accept(invitation=invitation, actor=request.user)
        return self._answered(invitation)

    @extend_schema(
        summary="Decline an invitation: nothing changes, the invitation is closed",
        description="Only while it is open: an invitation answered already is 409 (code "
        "`invitation_answered`).",
        request=None,
        responses={200: MyInvitationSerializer, **error_responses(401, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        invitation = self.get_object()
        services.membership_invitation_decline(invitation=invitation, actor=request.user)
        return self._answered(invitation)


# Programmes ---------------------------------------------------------------------------


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
        programme = services.programme_create(actor=request.user, **serializer.validated_data)
        programme = self.get_queryset().get(pk=programme.pk)
        return Response(self.get_serializer(programme).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        programme = self.get_object()
        serializer = ProgrammeUpdateSerializer(programme, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        programme = services.programme_update(
            programme=programme, actor=request.user, **serializer.validated_data
        )
        programme = self.get_queryset().get(pk=programme.pk)
        return Response(self.get_serializer(programme).data)


# Calls --------------------------------------------------------------------------------

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
        call = services.call_create(actor=request.user, **serializer.validated_data)
        return self._respond(call, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        call = self.get_object()
        serializer = CallUpdateSerializer(call, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        call = services.call_update(call=call, actor=request.user, **serializer.validated_data)
        return self._respond(call)

    def _transition(self, request: Request, name: str) -> Response:
        call = self.get_object()
        body = TransitionCommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        service = services.CALL_TRANSITION_SERVICES[name]
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


# A call's questions and criteria ------------------------------------------------------

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
        question = services.call_question_create(
            call=self.call(), actor=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(question).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, call_id: str, pk: str) -> Response:
        question: CallQuestion = self.get_object()
        serializer = self.get_serializer(question, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        question = services.call_question_update(
            question=question, actor=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(question).data)

    def destroy(self, request: Request, call_id: str, pk: str) -> Response:
        services.call_question_delete(question=self.get_object(), actor=request.user)
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
        criterion = services.call_criterion_create(
            call=self.call(), actor=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(criterion).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, call_id: str, pk: str) -> Response:
        criterion: Criterion = self.get_object()
        serializer = self.get_serializer(criterion, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        criterion = services.call_criterion_update(
            criterion=criterion, actor=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(criterion).data)

    def destroy(self, request: Request, call_id: str, pk: str) -> Response:
        services.call_criterion_delete(criterion=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
