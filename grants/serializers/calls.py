"""Shapes of calls, their questions and criteria on the API. The rules are the services'."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grants.countries import COUNTRIES
from grants.models import (
    Call,
    CallQuestion,
    Criterion,
    OrganisationType,
    Programme,
)
from grants.selectors.programmes import programmes_visible_to
from grants.serializers.common import CallReminderOffsetsField, TransitionsField, request_user
from grants.services.calls import CALL_TRANSITIONS


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
    available_transitions = TransitionsField(exposed=CALL_TRANSITIONS)
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
