"""Shapes of organisations, their members and invitations on the API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grants import policies
from grants.models import (
    Membership,
    MembershipInvitation,
    Organisation,
)
from grants.serializers.common import request_user


class OrganisationSerializer(serializers.ModelSerializer):
    my_role = serializers.SerializerMethodField(
        help_text="admin or member when you belong to it, else null."
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "legal_name",
            "short_name",
            "country",
            "city",
            "registration_number",
            "registry",
            "org_type",
            "website",
            "email",
            "my_role",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    @extend_schema_field({"type": "string", "nullable": True})
    def get_my_role(self, organisation: Organisation) -> str | None:
        roles = policies.roles_of(request_user(self))
        if organisation.pk in roles.admin_organisation_ids:
            return "admin"
        return "member" if organisation.pk in roles.organisation_ids else None


class OrganisationSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "legal_name", "short_name", "country", "org_type"]
        read_only_fields = fields


class MemberSerializer(serializers.ModelSerializer):
    """One person in an organisation, and their role in it."""

    user = serializers.PrimaryKeyRelatedField(read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    invitation_pending = serializers.SerializerMethodField(
        help_text="Invited, but has not set a password yet: POST …/invite/ sends the e-mail again."
    )

    class Meta:
        model = Membership
        fields = ["id", "user", "email", "full_name", "role", "invitation_pending", "created_at"]
        read_only_fields = fields

    def get_invitation_pending(self, membership: Membership) -> bool:
        return membership.user.is_active and not membership.user.has_usable_password()


class MemberInviteSerializer(serializers.Serializer):
    email = serializers.EmailField(
        max_length=254,
        help_text="An existing account gets an invitation, and joins once it accepts; a new "
        "address gets an account without a password, is a member at once, and gets an e-mail "
        "with a link to set one.",
    )
    full_name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Used only when the address has no account yet.",
    )
    role = serializers.ChoiceField(choices=Membership.Role.choices, default=Membership.Role.MEMBER)


class MemberInviteResultSerializer(serializers.Serializer):
    """The same answer whether the address had an account or not."""

    detail = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True)
    role = serializers.ChoiceField(choices=Membership.Role.choices, read_only=True)


class OrganisationInvitationSerializer(serializers.ModelSerializer):
    """An invitation the organisation sent and nobody answered yet: by e-mail address only
    (the invited person's name is theirs to share, once they accept)."""

    email = serializers.EmailField(source="user.email", read_only=True)
    invited_by = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = MembershipInvitation
        fields = ["id", "email", "role", "invited_by", "created_at"]
        read_only_fields = fields


class MyInvitationSerializer(serializers.ModelSerializer):
    """An invitation to join an organisation, as the invited person sees it."""

    organisation = serializers.PrimaryKeyRelatedField(read_only=True)
    organisation_name = serializers.CharField(source="organisation.legal_name", read_only=True)
    invited_by_name = serializers.SerializerMethodField()

    class Meta:
        model = MembershipInvitation
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "role",
            "invited_by_name",
            "created_at",
            "answered_at",
            "accepted",
        ]
        read_only_fields = fields

    def get_invited_by_name(self, invitation: MembershipInvitation) -> str | None:
        return invitation.invited_by.display_name if invitation.invited_by else None


class MemberRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(
        choices=Membership.Role.choices,
        help_text="The organisation always keeps an administrator: demoting the last one is 409.",
    )
