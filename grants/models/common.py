from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}


def _validate_offsets(value, kinds) -> None:
    from workflows import offsets

    try:
        offsets.clean(value, kinds)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        # A field validator must raise a list: Field.run_validators reads `error_list`, which
        # an error keyed by deadline kind does not have (an AttributeError, a 500).
        raise ValidationError(
            [
                f"{kind}: {message}"
                for kind, messages in exc.message_dict.items()
                for message in messages
            ]
        ) from exc


def validate_programme_offsets(value) -> None:
    from workflows import offsets

    _validate_offsets(value, offsets.PROGRAMME_KINDS)


def validate_call_offsets(value) -> None:
    from workflows import offsets

    _validate_offsets(value, offsets.CALL_KINDS)


class StoredUpload(models.Model):
    """A file someone uploaded, checked on the way in (see grants.uploads): what it was
    called on their machine, what it really is, how big, who and when. Subclasses say where
    it belongs and where it is stored (their own `file` field with its `upload_to`)."""

    file = models.FileField(max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name


def default_tranche_template() -> list:
    return [{"percent": 80, "trigger": "signature"}, {"percent": 20, "trigger": "final_report"}]


def default_reporting_template() -> dict:
    return {"interim_every_months": 6, "final_within_days": 30}


def default_report_questions() -> list:
    return [
        "What did the project achieve in this period?",
        "What did not go as planned, and what did you do about it?",
        "What are the next steps?",
    ]


class BudgetCategory(models.TextChoices):
    """The budget categories of an application's lines and of the grant's lines after award."""

    STAFF = "staff", _("Staff")
    TRAVEL = "travel", _("Travel and accommodation")
    EQUIPMENT = "equipment", _("Equipment and supplies")
    ACTIVITIES = "activities", _("Activities and events")
    SERVICES = "services", _("External services")
    COMMUNICATION = "communication", _("Communication and visibility")
    OTHER = "other", _("Other")
    INDIRECT = "indirect", _("Indirect costs")
