"""Shapes of grants after the award on the API: the grant with its budget, tranches and
reports, a report with its financial statement, amendments and monitoring visits.

Serializers only check that the input is well-formed; the rules (who, which state, versions,
amounts within the grant) live in grants.services.grants and grants.services.reports."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grants.countries import CURRENCIES
from grants.models import (
    MONEY,
    Amendment,
    FollowUpAction,
    Grant,
    GrantBudgetLine,
    IndicatorValue,
    MonitoringVisit,
    Report,
    ReportComment,
    Tranche,
)
from grants.selectors.reports import financial_statement
from grants.serializers.common import TransitionsField
from grants.serializers.organisations import OrganisationSummarySerializer
from grants.services.amendments import AMENDMENT_TRANSITIONS
from grants.services.grants import GRANT_TRANSITIONS, TRANCHE_TRANSITIONS
from grants.services.reports import REPORT_TRANSITIONS
from workflows.models import TransitionLog
from workflows.serializers import TransitionLogSerializer


def user_name(source: str, **kwargs) -> serializers.CharField:
    """Who did it, by name; null while nobody has."""
    return serializers.CharField(
        source=f"{source}.display_name", read_only=True, allow_null=True, **kwargs
    )


# The grant ----------------------------------------------------------------------------


class GrantBudgetLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = GrantBudgetLine
        fields = ["id", "order", "category", "description", "amount", "own_contribution"]
        read_only_fields = fields


class TrancheSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Tranche
        fields = [
            "id",
            "number",
            "percent",
            "amount",
            "trigger",
            "trigger_report",
            "state",
            "paid_on",
            "paid_amount",
        ]
        read_only_fields = fields


class ReportSummarySerializer(serializers.ModelSerializer):
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "number",
            "kind",
            "period_start",
            "period_end",
            "due_date",
            "state",
            "is_overdue",
        ]
        read_only_fields = fields


def amount_paid(grant: Grant) -> Decimal:
    return sum(
        (t.paid_amount or 0 for t in grant.tranches.all() if t.state == Tranche.State.PAID),
        Decimal(0),
    )


class GrantSerializer(serializers.ModelSerializer):
    """A grant as its grantee and its programme's staff read it, in lists and alone.

    The amounts are computed from the prefetched tranches, so a page costs no extra query."""

    organisation = OrganisationSummarySerializer(read_only=True)
    programme_title = serializers.CharField(
        source="programme.title", read_only=True, allow_null=True
    )
    available_transitions = TransitionsField(exposed=GRANT_TRANSITIONS)
    signed_by = user_name("signed_by")
    has_signed_copy = serializers.SerializerMethodField()
    amount_paid = serializers.SerializerMethodField(
        help_text="The sum of the payments recorded on the grant's tranches."
    )
    amount_committed = serializers.SerializerMethodField(
        help_text="Made due or approved for payment, not paid yet: what the programme owes now."
    )
    amount_remaining = serializers.SerializerMethodField(
        help_text="The grant's amount less what was paid."
    )
    budget_lines = GrantBudgetLineSerializer(many=True, read_only=True)
    tranches = TrancheSummarySerializer(many=True, read_only=True)
    reports = ReportSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Grant
        fields = [
            "id",
            "title",
            "reference",
            "organisation",
            "programme",
            "programme_title",
            "application",
            "state",
            "available_transitions",
            "amount",
            "currency",
            "own_contribution",
            "amount_paid",
            "amount_committed",
            "amount_remaining",
            "start_date",
            "end_date",
            "signed_at",
            "signed_by",
            "has_signed_copy",
            "budget_lines",
            "tranches",
            "reports",
            "created_at",
        ]
        read_only_fields = fields

    def get_has_signed_copy(self, grant: Grant) -> bool:
        return bool(grant.signed_copy)

    @extend_schema_field(serializers.DecimalField(**MONEY))
    def get_amount_paid(self, grant: Grant) -> str:
        return f"{amount_paid(grant):.2f}"

    @extend_schema_field(serializers.DecimalField(**MONEY))
    def get_amount_committed(self, grant: Grant) -> str:
        owed = (Tranche.State.DUE, Tranche.State.APPROVED)
        committed = sum((t.amount for t in grant.tranches.all() if t.state in owed), Decimal(0))
        return f"{committed:.2f}"

    @extend_schema_field(serializers.DecimalField(**MONEY))
    def get_amount_remaining(self, grant: Grant) -> str:
        return f"{grant.amount - amount_paid(grant):.2f}"


class GrantSignSerializer(serializers.Serializer):
    signed_copy = serializers.FileField(
        required=False, help_text="The agreement signed on paper, scanned (PDF)."
    )


class GrantHistorySerializer(TransitionLogSerializer):
    subject = serializers.CharField(
        source="content_type.model",
        read_only=True,
        help_text="What changed state: grant, tranche, report or amendment.",
    )
    subject_id = serializers.IntegerField(source="object_id", read_only=True)

    class Meta(TransitionLogSerializer.Meta):
        model = TransitionLog
        fields = ["subject", "subject_id", *TransitionLogSerializer.Meta.fields]
        read_only_fields = fields


# Tranches -----------------------------------------------------------------------------


class TrancheSerializer(serializers.ModelSerializer):
    available_transitions = TransitionsField(exposed=TRANCHE_TRANSITIONS)
    made_due_by = user_name("made_due_by", help_text="Null when a trigger made it due.")
    approved_by = user_name("approved_by")
    paid_by = user_name("paid_by")

    class Meta:
        model = Tranche
        fields = [
            "id",
            "number",
            "percent",
            "amount",
            "trigger",
            "trigger_report",
            "state",
            "available_transitions",
            "due_at",
            "made_due_by",
            "approved_at",
            "approved_by",
            "paid_on",
            "paid_amount",
            "payment_reference",
            "paid_by",
        ]
        read_only_fields = fields


class TranchePaySerializer(serializers.Serializer):
    paid_on = serializers.DateField()
    amount = serializers.DecimalField(
        **MONEY,
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        help_text="Empty: the tranche's amount.",
    )
    reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="The bank's."
    )


# Reports ------------------------------------------------------------------------------


class FinancialLineSerializer(serializers.Serializer):
    budget_line = serializers.IntegerField(source="budget_line_id")
    spent = serializers.DecimalField(**MONEY, help_text="In the report's currency.")


class IndicatorValueSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="indicator.name", read_only=True)
    unit = serializers.CharField(source="indicator.unit", read_only=True)
    target = serializers.DecimalField(
        source="indicator.target", max_digits=14, decimal_places=2, read_only=True
    )

    class Meta:
        model = IndicatorValue
        fields = ["indicator", "name", "unit", "target", "value", "comment"]
        read_only_fields = fields


class ReportCommentSerializer(serializers.ModelSerializer):
    author = user_name("author")

    class Meta:
        model = ReportComment
        fields = ["id", "section", "text", "author", "created_at", "resolved"]
        read_only_fields = fields


class StatementLineSerializer(serializers.Serializer):
    budget_line = serializers.IntegerField(source="budget_line_id")
    description = serializers.CharField()
    budget = serializers.DecimalField(**MONEY)
    spent_local = serializers.DecimalField(**MONEY, help_text="In the report's currency.")
    spent = serializers.DecimalField(**MONEY, help_text="In the grant's currency.")
    variance = serializers.DecimalField(**MONEY, help_text="Budget less spent.")
    over_percent = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="How far above the budget, in %; 0 within."
    )
    warning = serializers.BooleanField(
        help_text="Over the budget by more than the call's flexibility percentage."
    )


class StatementSerializer(serializers.Serializer):
    currency = serializers.CharField(help_text="The grant's currency.")
    report_currency = serializers.CharField()
    rate = serializers.DecimalField(
        max_digits=14,
        decimal_places=6,
        allow_null=True,
        help_text="Units of the report's currency per unit of the grant's; null when the same.",
    )
    missing_rate = serializers.BooleanField(
        help_text="No rate for the report's month yet: the report cannot be submitted."
    )
    total_budget = serializers.DecimalField(**MONEY)
    total_spent = serializers.DecimalField(**MONEY)
    lines = StatementLineSerializer(many=True)


class ReportSerializer(serializers.ModelSerializer):
    """A report with everything the grantee writes and the manager reads."""

    is_overdue = serializers.BooleanField(read_only=True)
    available_transitions = TransitionsField(exposed=REPORT_TRANSITIONS)
    questions = serializers.SerializerMethodField(
        help_text="The programme's narrative questions: the keys of `narrative`."
    )
    narrative = serializers.DictField(child=serializers.CharField(), read_only=True)
    financial_lines = FinancialLineSerializer(many=True, read_only=True)
    financial_statement = serializers.SerializerMethodField()
    indicator_values = IndicatorValueSerializer(many=True, read_only=True)
    comments = ReportCommentSerializer(
        many=True,
        read_only=True,
        help_text="The manager's comments per section; resolved once the report is resubmitted.",
    )
    submitted_by = user_name("submitted_by")
    decided_by = user_name("decided_by")

    class Meta:
        model = Report
        fields = [
            "id",
            "grant",
            "number",
            "kind",
            "period_start",
            "period_end",
            "due_date",
            "state",
            "available_transitions",
            "is_overdue",
            "version",
            "currency",
            "exchange_rate",
            "exchange_rate_month",
            "questions",
            "narrative",
            "financial_lines",
            "financial_statement",
            "indicator_values",
            "comments",
            "submitted_at",
            "submitted_by",
            "decided_at",
            "decided_by",
        ]
        read_only_fields = fields

    def get_questions(self, report: Report) -> list[str]:
        programme = report.grant.programme
        return list(programme.report_questions) if programme else []

    @extend_schema_field(StatementSerializer)
    def get_financial_statement(self, report: Report) -> dict:
        return StatementSerializer(financial_statement(report)).data


class SpendingSerializer(serializers.Serializer):
    budget_line = serializers.IntegerField(help_text="The id of one of the grant's budget lines.")
    spent = serializers.DecimalField(
        **MONEY, min_value=0, help_text="In the report's currency; replaces the line's amount."
    )


class IndicatorInputSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(help_text="The id of one of the programme's indicators.")
    value = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, allow_null=True, help_text="Null clears it."
    )


class ReportUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1,
        help_text="The version you last read. If someone saved since, nothing is written "
        "and the answer is 409 stale_version.",
    )
    narrative = serializers.DictField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        required=False,
        help_text="Answers by question; merged into the saved ones.",
    )
    spending = SpendingSerializer(many=True, required=False)
    indicators = IndicatorInputSerializer(many=True, required=False)
    currency = serializers.ChoiceField(
        choices=CURRENCIES, required=False, help_text="The currency the spending is in."
    )


class ReportRequestChangesSerializer(serializers.Serializer):
    comments = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        help_text="What to fix, by section: " + ", ".join(ReportComment.Section.values) + ".",
    )


class ReportRescheduleSerializer(serializers.Serializer):
    period_start = serializers.DateField(required=False, help_text="Omitted: unchanged.")
    period_end = serializers.DateField(
        required=False, help_text="Omitted: unchanged. The final report's stays the grant's end."
    )
    due_date = serializers.DateField(
        required=False, help_text="Omitted: unchanged. Not before the period ends."
    )


class ReportInterimCreateSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField(
        help_text="Before the grant ends; interim periods do not overlap."
    )
    due_date = serializers.DateField(help_text="Not before the period ends.")


# Amendments ---------------------------------------------------------------------------


class AmendmentSerializer(serializers.ModelSerializer):
    available_transitions = TransitionsField(exposed=AMENDMENT_TRANSITIONS)
    changes = serializers.DictField(read_only=True)
    previous = serializers.DictField(
        read_only=True, help_text="The grant's values before an approved amendment changed them."
    )
    requested_by = user_name("requested_by")
    decided_by = user_name("decided_by")

    class Meta:
        model = Amendment
        fields = [
            "id",
            "grant",
            "kind",
            "justification",
            "changes",
            "previous",
            "state",
            "available_transitions",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_comment",
        ]
        read_only_fields = fields


class AmendmentCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Amendment.Kind.choices)
    justification = serializers.CharField()
    changes = serializers.DictField(
        help_text=_(
            'budget: {"lines": {"<budget line id>": "<new amount>"}} (the total stays the '
            'same); extension: {"end_date": "YYYY-MM-DD"}; activities: {"description": "…"}.'
        )
    )


# Monitoring visits --------------------------------------------------------------------


class FollowUpActionSerializer(serializers.ModelSerializer):
    closed_by = user_name("closed_by")

    class Meta:
        model = FollowUpAction
        fields = ["id", "description", "due_date", "closed_at", "closed_by", "closing_note"]
        read_only_fields = ["closed_at", "closed_by", "closing_note"]


class MonitoringVisitSerializer(serializers.ModelSerializer):
    created_by = user_name("created_by")
    actions = FollowUpActionSerializer(many=True, read_only=True)

    class Meta:
        model = MonitoringVisit
        fields = [
            "id",
            "grant",
            "visited_on",
            "visitors",
            "findings",
            "actions",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class FollowUpActionInputSerializer(serializers.Serializer):
    description = serializers.CharField()
    due_date = serializers.DateField()


class MonitoringVisitCreateSerializer(serializers.Serializer):
    visited_on = serializers.DateField()
    visitors = serializers.CharField(max_length=300, help_text="Who visited.")
    findings = serializers.CharField()
    actions = FollowUpActionInputSerializer(many=True, required=False, default=list)


class FollowUpCloseSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="How it was done."
    )
