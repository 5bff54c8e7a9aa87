"""REST API for organisations, their members and invitations, and the invitations to me."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from grants import policies
from grants.api.calls import ORGANISATION_ID
from grants.models import Membership, MembershipInvitation, Organisation
from grants.selectors.organisations import (
    invitations_to,
    organisation_for_member,
    organisations_visible_to,
)
from grants.serializers.organisations import (
    MemberInviteResultSerializer,
    MemberInviteSerializer,
    MemberRoleSerializer,
    MemberSerializer,
    MyInvitationSerializer,
    OrganisationInvitationSerializer,
    OrganisationSerializer,
)
from grants.services.organisations import (
    membership_change_role,
    membership_invitation_accept,
    membership_invitation_decline,
    membership_invitation_resend,
    membership_invitation_withdraw,
    membership_invite,
    membership_remove,
    organisation_create,
    organisation_update,
)
from workflows.permissions import require
from workflows.rest import NotFoundForAnonymous, error_responses


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
        organisation = organisation_create(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(organisation).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        organisation = self.get_object()
        serializer = self.get_serializer(organisation, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        organisation = organisation_update(
            organisation=organisation, actor=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(organisation).data)


class OrganisationPartViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    # Shared by members and invitations: both hang off an organisation the user belongs to.

    permission_classes = [NotFoundForAnonymous]

    def organisation(self) -> Organisation:
        if not hasattr(self, "_organisation"):
            self._organisation = organisation_for_member(
                self.request.user, self.kwargs["organisation_id"]
            )
        return self._organisation

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self.organisation()  # 404 before any input is read, if you are not a member


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
class OrganisationMemberViewSet(OrganisationPartViewSet):
    """Who belongs to the organisation, in which role. Its members read; its administrators
    invite, change roles and remove. Anyone else gets 404."""

    serializer_class = MemberSerializer
    filterset_fields = ["role"]
    ordering_fields = ["created_at", "role"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return Membership.objects.none()
        return (
            Membership.objects.filter(organisation=self.organisation())
            .select_related("user")
            .order_by("role", "user__full_name", "user__email")
        )

    def _require_admin(self) -> None:
        require(
            policies.can_manage_members,
            user=self.request.user,
            organisation_id=self.organisation().pk,
        )

    def create(self, request: Request, organisation_id: str) -> Response:
        self._require_admin()
        serializer = MemberInviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = membership_invite(
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
        membership = membership_change_role(
            membership=membership, actor=request.user, role=serializer.validated_data["role"]
        )
        return Response(MemberSerializer(membership).data)

    def destroy(self, request: Request, organisation_id: str, pk: str) -> Response:
        membership = self.get_object()
        self._require_admin()
        membership_remove(membership=membership, actor=request.user)
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
        membership = membership_invitation_resend(membership=membership, actor=request.user)
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
class OrganisationInvitationViewSet(OrganisationPartViewSet):
    """Who the organisation asked to join and has not answered. Its members read; its
    administrators withdraw (invitations are made by POST …/members/). Anyone else gets 404."""

    serializer_class = OrganisationInvitationSerializer
    filterset_fields = ["role"]
    ordering_fields = ["created_at", "role"]
    http_method_names = ["get", "delete", "head", "options"]

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
        require(
            policies.is_org_admin,
            user=request.user,
            organisation_id=self.organisation().pk,
            message=_("Only an administrator of the organisation can manage its people."),
        )
        membership_invitation_withdraw(invitation=invitation, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Accepting and declining: an invitation is answered once.
ANSWER_SCHEMA = {
    "description": "Only while it is open: an invitation answered already is 409 (code "
    "`invitation_answered`).",
    "request": None,
    "responses": {200: MyInvitationSerializer, **error_responses(401, 404, 409)},
}


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
        invitations = invitations_to(self.request.user)
        if self.action == "list":
            invitations = invitations.filter(answered_at__isnull=True)
        return invitations.select_related("organisation", "invited_by").order_by(
            "-created_at", "-pk"
        )

    def _answer(self, request: Request, service) -> Response:
        invitation = self.get_object()
        service(invitation=invitation, actor=request.user)
        invitation = self.get_queryset().get(pk=invitation.pk)
        return Response(self.get_serializer(invitation).data)

    @extend_schema(
        summary="Accept an invitation: you become a member, in the role it names",
        **ANSWER_SCHEMA,
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        return self._answer(request, membership_invitation_accept)

    @extend_schema(
        summary="Decline an invitation: nothing changes, the invitation is closed",
        **ANSWER_SCHEMA,
    )
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        return self._answer(request, membership_invitation_decline)
