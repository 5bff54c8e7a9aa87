from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from grants import policies
from grants.countries import CURRENCIES
from grants.models.common import MONEY, StoredUpload
from workflows.permissions import fsm_permission


class Report(FSMModelMixin, models.Model):
    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        OPEN = "open", _("Open")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")

    class Kind(models.TextChoices):
        INTERIM = "interim", _("Interim report")
        FINAL = "final", _("Final report")

    grant = models.ForeignKey("grants.Grant", on_delete=models.CASCADE, related_name="reports")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    due_date = models.DateField()
    state = FSMField(default=State.SCHEDULED, choices=State.choices, protected=True)
    narrative = models.JSONField(default=dict, blank=True)
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="EUR")
    exchange_rate = models.DecimalField(max_digits=14, decimal_places=6, null=True, blank=True)
    exchange_rate_month = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["grant", "number"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "number"], name="report_number_unique"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="report_period_valid"
            ),
        ]
        indexes = [models.Index(fields=["state", "due_date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number} — {self.grant}"

    @property
    def is_overdue(self) -> bool:
        """Derived from the due date, never a state."""
        return self.state in (
            self.State.SCHEDULED,
            self.State.OPEN,
            self.State.CHANGES_REQUESTED,
        ) and (self.due_date < timezone.localdate())

    @transition(
        field=state,
        source=State.SCHEDULED,
        target=State.OPEN,
        permission=fsm_permission(policies.can_manage_report),
        custom={"label": _("Open")},
    )
    def open(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.OPEN, State.CHANGES_REQUESTED],
        target=State.SUBMITTED,
        permission=fsm_permission(policies.can_write_report),
        custom={"label": _("Submit")},
    )
    def submit(self) -> None:
        pass

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.APPROVED,
        permission=fsm_permission(policies.can_decide_report),
        custom={"label": _("Approve")},
    )
    def approve(self) -> None:
        pass

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.CHANGES_REQUESTED,
        permission=fsm_permission(policies.can_decide_report),
        custom={"label": _("Request changes")},
    )
    def request_changes(self) -> None:
        pass

    # Named states, for templates and callers: ask the object, not its state string.

    @property
    def is_scheduled(self) -> bool:
        """Not open yet: it opens when its period ends."""
        return self.state == self.State.SCHEDULED

    @property
    def is_open(self) -> bool:
        """Open for the grantee to write."""
        return self.state == self.State.OPEN

    @property
    def needs_changes(self) -> bool:
        """Sent back to the grantee with changes requested."""
        return self.state == self.State.CHANGES_REQUESTED

    @property
    def is_submitted(self) -> bool:
        """Submitted, waiting for the manager's decision."""
        return self.state == self.State.SUBMITTED

    @property
    def is_approved(self) -> bool:
        """Approved by the manager."""
        return self.state == self.State.APPROVED


class FinancialLine(models.Model):
    """Spending on one budget line in a report, in the report's currency."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="financial_lines")
    budget_line = models.ForeignKey(
        "grants.GrantBudgetLine", on_delete=models.CASCADE, related_name="+"
    )
    spent = models.DecimalField(default=0, **MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "budget_line"], name="financial_line_unique"),
            models.CheckConstraint(condition=Q(spent__gte=0), name="financial_line_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.budget_line}: {self.spent}"


class IndicatorValue(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="indicator_values")
    indicator = models.ForeignKey(
        "grants.Indicator", on_delete=models.PROTECT, related_name="values"
    )
    value = models.DecimalField(max_digits=14, decimal_places=2)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="indicator_value_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="indicator_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value}"


def report_attachment_path(instance: "ReportAttachment", filename: str) -> str:
    import uuid
    from pathlib import Path

    return f"reports/{instance.report_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()[:10]}"


class ReportAttachment(StoredUpload):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=report_attachment_path, max_length=255)


class ReportComment(models.Model):
    """The manager's comment on one section of a report when requesting changes."""

    class Section(models.TextChoices):
        NARRATIVE = "narrative", _("Narrative")
        FINANCIAL = "financial", _("Financial statement")
        INDICATORS = "indicators", _("Indicators")
        ATTACHMENTS = "attachments", _("Attachments")
        GENERAL = "general", _("General")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="comments")
    section = models.CharField(max_length=20, choices=Section.choices)
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.section}: {self.text[:40]}"
