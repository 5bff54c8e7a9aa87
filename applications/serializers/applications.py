"""Shapes of applications on the API. Serializers check that input is well-formed; the rules
(amounts within the call's limits, co-financing, editable state, versions) live in the
services, which answer every problem at once."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.models import (
    Application,
    Attachment,
    BudgetLine,
    ClarificationRequest,
    Partner,
    budget_totals,
)
from applications.services.applications import MAX_ANSWER_CHARS
from applications.services.screening import APPLICATION_TRANSITIONS
from grants.models import MONEY, Call, CallQuestion, Organisation
from grants.selectors.calls import calls_visible_to
from grants.selectors.organisations import organisations_of
from grants.serializers.common import TransitionsField, request_user
from grants.serializers.organisations import OrganisationSummarySerializer

# Amounts on input: never negative, at most two decimals (DRF says so before the service does).
AMOUNT = {**MONEY, "min_value": 0}


class AnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField(
        source="question_id", help_text="The id of one of the call's questions."
    )
    # Kept as typed: a draft never loses what was written, whitespace included.
    value = serializers.CharField(
        allow_blank=True, trim_whitespace=False, max_length=MAX_ANSWER_CHARS
    )


class BudgetLineSerializer(serializers.ModelSerializer):
    amount_requested = serializers.DecimalField(**AMOUNT)
    own_contribution = serializers.DecimalField(**AMOUNT, required=False)
    total = serializers.DecimalField(**MONEY, read_only=True)

    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "order",
            "category",
            "description",
            "amount_requested",
            "own_contribution",
            "total",
        ]
        read_only_fields = ["order"]


class BudgetTotalsSerializer(serializers.Serializer):
    requested = serializers.DecimalField(max_digits=16, decimal_places=2)
    own = serializers.DecimalField(max_digits=16, decimal_places=2)
    total = serializers.DecimalField(max_digits=16, decimal_places=2)
    cofinancing_percent = serializers.DecimalField(max_digits=5, decimal_places=2)


class PartnerSerializer(serializers.ModelSerializer):
    organisation = OrganisationSummarySerializer(read_only=True)

    class Meta:
        model = Partner
        fields = ["id", "organisation", "role"]


class NewPartnerOrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = [
            "legal_name",
            "short_name",
            "country",
            "city",
            "registration_number",
            "org_type",
            "website",
            "email",
        ]


class PartnerCreateSerializer(serializers.Serializer):
    # Any registered organisation may be a partner: partners are, by definition, not the
    # applicant's own organisations, so this cannot be limited to what the applicant sees.
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        help_text="An existing organisation; or describe a new one in new_organisation.",
    )
    new_organisation = NewPartnerOrganisationSerializer(required=False, allow_null=True)
    role = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict) -> dict:
        if bool(attrs.get("organisation")) == bool(attrs.get("new_organisation")):
            raise serializers.ValidationError(
                {"organisation": _("Give either an existing organisation or a new one.")}
            )
        return attrs


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField(
        help_text="Access-checked download; files are never served from a public URL."
    )

    class Meta:
        model = Attachment
        fields = [
            "id",
            "question",
            "original_name",
            "content_type",
            "size",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, attachment: Attachment) -> str:
        return self.context["request"].build_absolute_uri(
            reverse(
                "application-attachment-download",
                kwargs={"application_id": attachment.application_id, "pk": attachment.pk},
            )
        )


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, PNG, JPEG, DOCX, XLSX, ODT or ODS.")
    question = serializers.PrimaryKeyRelatedField(
        queryset=CallQuestion.objects.none(),
        required=False,
        allow_null=True,
        help_text="The file question of the call this answers, if any.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "application" in self.context:
            self.fields["question"].queryset = CallQuestion.objects.filter(
                call_id=self.context["application"].call_id
            )


class ClarificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClarificationRequest
        fields = ["id", "question", "response_due_at", "asked_at", "answer", "answered_at"]
        read_only_fields = fields


class ApplicationSerializer(serializers.ModelSerializer):
    """An application as its viewers read it, in lists and alone: one shape for both."""

    call_title = serializers.CharField(source="call.title", read_only=True)
    currency = serializers.CharField(source="call.programme.currency", read_only=True)
    organisation = OrganisationSummarySerializer(read_only=True)
    public_status = serializers.CharField(read_only=True)
    available_transitions = TransitionsField(exposed=APPLICATION_TRANSITIONS)
    totals = serializers.SerializerMethodField()
    answers = AnswerSerializer(many=True, read_only=True)
    budget_lines = BudgetLineSerializer(many=True, read_only=True)
    partners = PartnerSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    clarifications = ClarificationSerializer(many=True, read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "call",
            "call_title",
            "organisation",
            "title",
            "state",
            "public_status",
            "available_transitions",
            "reference",
            "submitted_at",
            "version",
            "currency",
            "totals",
            "answers",
            "budget_lines",
            "partners",
            "attachments",
            "clarifications",
            "eligibility_reason",
            "screened_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(BudgetTotalsSerializer)
    def get_totals(self, application: Application) -> dict:
        # From the prefetched lines: one query for a whole page, and the same arithmetic as
        # the submission rules.
        return BudgetTotalsSerializer(budget_totals(application.budget_lines.all())).data


class ApplicationCreateSerializer(serializers.Serializer):
    call = serializers.PrimaryKeyRelatedField(queryset=Call.objects.none())
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.none(), help_text="One of your organisations."
    )
    title = serializers.CharField(max_length=255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "request" in self.context:
            user = request_user(self)
            self.fields["call"].queryset = calls_visible_to(user)
            self.fields["organisation"].queryset = organisations_of(user)


class ApplicationUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1,
        help_text="The version you last read. If someone saved since, nothing is written "
        "and the answer is 409 stale_version.",
    )
    title = serializers.CharField(max_length=255, required=False)
    answers = AnswerSerializer(many=True, required=False)
    budget_lines = BudgetLineSerializer(
        many=True, required=False, help_text="Replaces every budget line."
    )


class ClarificationQuestionSerializer(serializers.Serializer):
    question = serializers.CharField(help_text="What the applicant must clarify.")
    response_due_at = serializers.DateTimeField()


class ResubmitSerializer(serializers.Serializer):
    answer = serializers.CharField(help_text="The answer to the open clarification request.")


class IneligibleSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the application is not eligible.")


class EligibilityCheckSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    passed = serializers.BooleanField()
    detail = serializers.CharField()
