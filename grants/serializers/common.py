"""What the API serializers share: the requesting user, `available_transitions`, reminder-offset
fields, the transition comment. Serializers check that input is well-formed; services decide."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from workflows import offsets
from workflows.services import available_transitions


def request_user(serializer: serializers.Field):
    return serializer.context["request"].user


@extend_schema_field({"type": "array", "items": {"type": "string"}, "readOnly": True})
class TransitionsField(serializers.ReadOnlyField):
    """The transitions the requesting user may call now, by name: POST …/<id>/<name>/.

    Only those `exposed` (the model's registry, <MODEL>_TRANSITIONS in its services, whose every
    transition is an action) are listed, so every name is an endpoint a client can call."""

    def __init__(self, exposed: Iterable[str], **kwargs):
        self.exposed = set(exposed)
        super().__init__(source="*", **kwargs)

    def to_representation(self, obj) -> list[str]:
        user = request_user(self)
        if not user.is_authenticated:
            return []
        return [name for name in available_transitions(obj, user) if name in self.exposed]


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


class TransitionCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Kept in the history."
    )
