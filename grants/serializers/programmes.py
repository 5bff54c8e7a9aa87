"""Shapes of donors and programmes on the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from grants import policies
from grants.models import (
    Donor,
    Grant,
    Organisation,
    Programme,
)
from grants.selectors.organisations import organisations_of
from grants.serializers.common import ProgrammeReminderOffsetsField, request_user


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
