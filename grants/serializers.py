"""Shapes of organisations, programmes and calls on the API. No business rules here: the
services check them; serializers only check that the input is well-formed."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grants import policies
from grants.countries import COUNTRIES
from grants.models import (
    Call,
    CallQuestion,
    Criterion,
    Donor,
    Grant,
    Membership,
    MembershipInvitation,
    Organisation,
    OrganisationType,
    Programme,
)
from grants.selectors import organisations_of, programmes_visible_to
from grants.services import CALL_TRANSITION_SERVICES
from workflows import offsets
from workflows.services import available_transitions


def request_user(serializer: serializers.Field):
    return serializer.context["request"].user


@extend_schema_field({"type": "array", "items": {"type": "string"}, "readOnly": True})
class TransitionsField(serializers.ReadOnlyField):
    """The transitions the requesting user may call now, by name: POST …/<id>/<name>/.

    Only those the API exposes are listed, so every name is an endpoint a client can call."""

    def __init__(self, exposed: Iterable[str], **kwargs):
        self.exposed = set(exposed)
        super().__init__(source="*", **kwargs)

    def to_representation(self, obj) -> list[str]:
        user = request_user(self)
        if not user.is_authenticated:
            return []
        return [name for name in available_transitions(obj, user) if name in self.exposed]


# Deadline reminders: {kind: [[days, audience], ...]}. ------------------------------------

OFFSET_PAIR_SCHEMA = {
    "type": "array",
    "description": "[days from the deadline (negative: before), audience].",
    "items": {
        "oneOf": [
            {"type": "integer", "minimum": -offsets.MAX_DAYS, "maximum": offsets.MAX_DAYS},
            {"type": "string", "enum": [offsets.OWNER, offsets.MANAGER]},
        ]
    },
    "minItems": 2,
    "maxItems": 2,
}


def offsets_schema(kinds, inherits_from: str) -> dict:
    return {
        "type": "object",
        "description": (
            "When deadline reminders go, by deadline kind: a list of [days, audience] pairs "
            '(audience "owner": whoever must act; "manager": the programme\'s managers). '
            'Text is accepted on input, e.g. "-7, -1, +3 manager"; answers are always lists. '
            f"A kind left out inherits {inherits_from}. Sending the object replaces it whole."
        ),
        "properties": {
            kind: {"oneOf": [{"type": "array", "items": OFFSET_PAIR_SCHEMA}, {"type": "string"}]}
            for kind in kinds
        },
        "additionalProperties": False,
    }


class ReminderOffsetsField(serializers.JSONField):
    """Validated and normalised by workflows.offsets.clean; errors by kind."""

    kinds: tuple[str, ...] = ()

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            cleaned = offsets.clean(value, self.kinds)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from exc
        return {kind: pairs for kind, pairs in cleaned.items() if pairs}


@extend_schema_field(offsets_schema(offsets.PROGRAMME_KINDS, "the default"))
class ProgrammeReminderOffsetsField(ReminderOffsetsField):
    kinds = offsets.PROGRAMME_KINDS


@extend_schema_field(offsets_schema(offsets.CALL_KINDS, "the programme's (or the default)"))
class CallReminderOffsetsField(ReminderOffsetsField):
    kinds = offsets.CALL_KINDS


# Organisations ------------------------------------------------------------------------


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


# An organisation's people ---------------------------------------------------------------


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


# Programmes ---------------------------------------------------------------------------


class DonorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Donor
        fields = ["id", "name", "short_name"]


class ProgrammeSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.none(),
        help_text="An organisation you administer; you become the programme's manager.",
    )
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    donors = DonorSerializer(many=True, read_only=True)
    donor_ids = serializers.PrimaryKeyRelatedField(
        source="donors",
        queryset=Donor.objects.all(),
        many=True,
        required=False,
        write_only=True,
    )
    parent_grant = serializers.PrimaryKeyRelatedField(
        queryset=Grant.objects.none(),
        allow_null=True,
        required=False,
        help_text="The grant that funds this programme (cascade funding).",
    )
    reminder_offsets = ProgrammeReminderOffsetsField()
    my_roles = serializers.SerializerMethodField()

    class Meta:
        model = Programme
        fields = [
            "id",
            "title",
            "description",
            "owner",
            "owner_name",
            "donors",
            "donor_ids",
            "currency",
            "budget",
            "start_date",
            "end_date",
            "timezone",
            "parent_grant",
            "reminder_offsets",
            "my_roles",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "request" in self.context:
            # Only your own organisations, so an id never reveals someone else's.
            mine = organisations_of(request_user(self))
            self.fields["owner"].queryset = mine
            self.fields["parent_grant"].queryset = Grant.objects.filter(organisation__in=mine)

    def get_my_roles(self, programme: Programme) -> list[str]:
        return sorted(policies.roles_of(request_user(self)).programme_roles.get(programme.pk, ()))

    def validate(self, attrs: dict) -> dict:
        if (
            attrs.get("end_date")
            and attrs.get("start_date")
            and attrs["end_date"] < attrs["start_date"]
        ):
            raise serializers.ValidationError(
                {"end_date": _("The programme must end after it starts.")}
            )
        return attrs


class ProgrammeUpdateSerializer(serializers.ModelSerializer):
    """What a manager may change on an existing programme (grants.services.programme_update)."""

    reminder_offsets = ProgrammeReminderOffsetsField()

    class Meta:
        model = Programme
        fields = ["reminder_offsets"]


# Calls --------------------------------------------------------------------------------


class CallQuestionSerializer(serializers.ModelSerializer):
    choices = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        help_text="The options of a choice question.",
    )

    class Meta:
        model = CallQuestion
        fields = ["id", "order", "label", "help_text", "kind", "required", "max_length", "choices"]
        read_only_fields = ["order"]


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "order", "title", "description", "weight", "max_score", "pass_threshold"]
        read_only_fields = ["order"]


# The choice sets are the same as an organisation's country and type: point at those enums
# rather than declare them twice under other names.
@extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/CountryEnum"}})
class CountryListField(serializers.ListField):
    child = serializers.ChoiceField(choices=COUNTRIES)


@extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/OrgTypeEnum"}})
class OrgTypeListField(serializers.ListField):
    child = serializers.ChoiceField(choices=OrganisationType.choices)


CALL_WRITABLE_FIELDS = [
    "title",
    "reference_prefix",
    "summary",
    "description",
    "scope",
    "opens_at",
    "closes_at",
    "timezone",
    "budget",
    "min_grant",
    "max_grant",
    "min_cofinancing_percent",
    "eligible_countries",
    "eligible_org_types",
    "reviewers_per_application",
    "reminder_offsets",
]


class CallSerializer(serializers.ModelSerializer):
    """A call as everyone reads it (list and detail alike), with its form and rubric."""

    programme_title = serializers.CharField(source="programme.title", read_only=True)
    currency = serializers.CharField(read_only=True)
    eligible_countries = CountryListField(
        required=False, help_text="ISO codes; empty means any country."
    )
    eligible_org_types = OrgTypeListField(required=False, help_text="Empty means any type.")
    reminder_offsets = CallReminderOffsetsField()
    is_accepting = serializers.BooleanField(read_only=True)
    available_transitions = TransitionsField(exposed=CALL_TRANSITION_SERVICES)
    questions = CallQuestionSerializer(many=True, read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "programme",
            "programme_title",
            *CALL_WRITABLE_FIELDS,
            "currency",
            "state",
            "available_transitions",
            "is_accepting",
            "published_at",
            "questions",
            "criteria",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["programme", "state", "published_at", "created_at", "updated_at"]


class CallUpdateSerializer(serializers.ModelSerializer):
    """What a manager may send to change a call; once published, grants.services.call_update
    refuses the rule fields (FROZEN_CALL_FIELDS) with 400."""

    eligible_countries = CountryListField(required=False)
    eligible_org_types = OrgTypeListField(required=False)
    reminder_offsets = CallReminderOffsetsField()

    class Meta:
        model = Call
        fields = CALL_WRITABLE_FIELDS
        # Constraints between fields (closes after opens, max ≥ min) are checked by the
        # service against the merged call, not against a partial body.
        validators: list = []


class CallCreateSerializer(CallUpdateSerializer):
    programme = serializers.PrimaryKeyRelatedField(
        queryset=Programme.objects.none(), help_text="A programme you manage."
    )

    class Meta(CallUpdateSerializer.Meta):
        fields = ["programme", *CALL_WRITABLE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "request" in self.context:
            self.fields["programme"].queryset = programmes_visible_to(request_user(self))


class TransitionCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Kept in the history."
    )
