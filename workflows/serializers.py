"""Shapes of the workflow machinery on the API: a transition log entry."""

from rest_framework import serializers

from workflows.models import TransitionLog


class TransitionLogSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = TransitionLog
        fields = ["id", "transition", "from_state", "to_state", "actor", "comment", "created_at"]
        read_only_fields = fields

    def get_actor(self, entry: TransitionLog) -> str | None:
        return entry.actor.display_name if entry.actor else None
