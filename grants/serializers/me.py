"""Shapes of /me/: the person, with what they are in Regrant (memberships, programme roles,
calls they review)."""

from django.conf import settings
from rest_framework import serializers

from accounts.models import User
from accounts.timezones import validate_timezone
from grants.models import Membership, ProgrammeRole
from grants.serializers.organisations import OrganisationSummarySerializer


class MeMembershipSerializer(serializers.ModelSerializer):
    organisation = OrganisationSummarySerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["organisation", "role"]


class MeProgrammeRoleSerializer(serializers.ModelSerializer):
    programme_title = serializers.CharField(source="programme.title", read_only=True)

    class Meta:
        model = ProgrammeRole
        fields = ["programme", "programme_title", "role"]


class MeSerializer(serializers.ModelSerializer):
    """Who you are. Your own settings (name, language, time zone, e-mail) can be PATCHed."""

    organisations = MeMembershipSerializer(source="memberships", many=True, read_only=True)
    programme_roles = MeProgrammeRoleSerializer(many=True, read_only=True)
    reviewer_calls = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    language = serializers.ChoiceField(choices=settings.LANGUAGES)
    timezone = serializers.CharField(
        max_length=64,
        validators=[validate_timezone],
        help_text="An IANA time zone, e.g. `Europe/Belgrade`: dates are shown and the daily "
        "digest sent in it.",
    )

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "language",
            "timezone",
            "notification_email",
            "digest_hour",
            "organisations",
            "programme_roles",
            "reviewer_calls",
        ]
        read_only_fields = ["id", "email"]
        extra_kwargs = {
            "notification_email": {
                "help_text": "How news that is not urgent is e-mailed. Deadline reminders and "
                "requests with a deadline are always e-mailed at once."
            },
            "digest_hour": {
                "help_text": "The hour (0–23), in `timezone`, at which the daily digest is sent."
            },
        }
