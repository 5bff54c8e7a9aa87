from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from grants import policies
from grants.countries import CURRENCIES
from grants.models.common import MONEY, BudgetCategory
from workflows.permissions import fsm_permission


class Grant(FSMModelMixin, models.Model):
    """A grant: a donor's grant to a lead organisation, or (later) a sub-grant awarded here.

    The grants-after-award work builds the grant's life (agreement, tranches, reports) on this.
    For now it carries what a programme needs to say it is funded by a parent grant.
    """

    class State(models.TextChoices):
        AWARDED = "awarded", _("Awarded")
        CONTRACTED = "contracted", _("Contracted")
        ACTIVE = "active", _("Active")
        CLOSING = "closing", _("Closing")
        CLOSED = "closed", _("Closed")
        SUSPENDED = "suspended", _("Suspended")
        TERMINATED = "terminated", _("Terminated")

    title = models.CharField(max_length=255)
    organisation = models.ForeignKey(
        "grants.Organisation", on_delete=models.PROTECT, related_name="grants"
    )
    state = FSMField(default=State.AWARDED, choices=State.choices, protected=True)
    donor = models.ForeignKey("grants.Donor", null=True, blank=True, on_delete=models.PROTECT)
    reference = models.CharField(max_length=64, blank=True)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="EUR")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    max_subgrant_amount = models.DecimalField(
        _("maximum per sub-grant"), null=True, blank=True, **MONEY
    )
    # A sub-grant awarded here: the application it came from, in the call's programme.
    application = models.OneToOneField(
        "applications.Application",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grant",
    )
    programme = models.ForeignKey(
        "Programme", null=True, blank=True, on_delete=models.PROTECT, related_name="subgrants"
    )
    created_at = models.DateTimeField(auto_now_add=True, null=True)
    own_contribution = models.DecimalField(_("own contribution"), default=0, **MONEY)
    summary = models.TextField(
        _("public summary"),
        blank=True,
        help_text=_("What the project does, in a few sentences: published with the award."),
    )
    # The donor's rules when this is an incoming grant that funds a programme (the cascade).
    min_cofinancing_percent = models.DecimalField(
        _("sub-grant co-financing at least (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    max_cofinancing_percent = models.DecimalField(
        _("sub-grant co-financing at most (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    reporting_period_months = models.PositiveSmallIntegerField(null=True, blank=True)
    # The agreement.
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_copy = models.FileField(upload_to="agreements/", blank=True, max_length=255)

    class Meta:
        ordering = ["-start_date", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="grant_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title

    @transition(
        field=state,
        source=State.AWARDED,
        target=State.CONTRACTED,
        permission=fsm_permission(policies.can_sign_grant),
        custom={"label": _("Sign the agreement")},
    )
    def sign(self) -> None:
        pass

    @transition(
        field=state,
        source=State.CONTRACTED,
        target=State.ACTIVE,
        permission=fsm_permission(policies.can_manage_grant),
        custom={"label": _("Start")},
    )
    def activate(self) -> None:
        pass

    @transition(
        field=state,
        source=State.ACTIVE,
        target=State.CLOSING,
        permission=fsm_permission(policies.can_manage_grant),
        custom={"label": _("Start closing")},
    )
    def start_closing(self) -> None:
        pass

    @transition(
        field=state,
        source=State.CLOSING,
        target=State.CLOSED,
        permission=fsm_permission(policies.can_manage_grant),
        custom={"label": _("Close")},
    )
    def close(self) -> None:
        pass

    @transition(
        field=state,
        source=State.ACTIVE,
        target=State.SUSPENDED,
        permission=fsm_permission(policies.can_manage_grant),
        custom={"label": _("Suspend")},
    )
    def suspend(self) -> None:
        pass

    @transition(
        field=state,
        source=State.SUSPENDED,
        target=State.ACTIVE,
        permission=fsm_permission(policies.can_manage_grant),
        custom={"label": _("Resume")},
    )
    def resume(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.ACTIVE, State.SUSPENDED],
        target=State.TERMINATED,
        permission=fsm_permission(policies.can_manage_grant),
        custom={"label": _("Terminate")},
    )
    def terminate(self) -> None:
        pass

    # Named states, for templates and callers: ask the object, not its state string.

    @property
    def awaits_signature(self) -> bool:
        """Awarded, the agreement not signed yet."""
        return self.state == self.State.AWARDED


class GrantBudgetLine(models.Model):
    """Copied from the application at the award; owned by the grant from then on."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="budget_lines")
    order = models.PositiveSmallIntegerField(default=0)
    category = models.CharField(max_length=20)
    description = models.CharField(max_length=300)
    amount = models.DecimalField(_("grant"), **MONEY)
    own_contribution = models.DecimalField(_("own contribution"), default=0, **MONEY)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(own_contribution__gte=0),
                name="grant_budget_line_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def category_label(self) -> str:
        """The same categories as the application's budget lines, by their names."""
        return str(dict(BudgetCategory.choices).get(self.category, self.category))


class Amendment(FSMModelMixin, models.Model):
    class Kind(models.TextChoices):
        BUDGET = "budget", _("Budget reallocation between lines")
        EXTENSION = "extension", _("No-cost extension")
        ACTIVITIES = "activities", _("Change of activities")

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="amendments")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    justification = models.TextField()
    changes = models.JSONField(default=dict)
    previous = models.JSONField(default=dict, blank=True)
    state = FSMField(default=State.REQUESTED, choices=State.choices, protected=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.grant}"

    @transition(
        field=state,
        source=State.REQUESTED,
        target=State.APPROVED,
        permission=fsm_permission(policies.can_decide_amendment),
    )
    def approve(self) -> None:
        pass

    @transition(
        field=state,
        source=State.REQUESTED,
        target=State.REJECTED,
        permission=fsm_permission(policies.can_decide_amendment),
    )
    def reject(self) -> None:
        pass

    # Named states, for templates and callers: ask the object, not its state string.

    @property
    def is_requested(self) -> bool:
        """Waiting for the manager's decision."""
        return self.state == self.State.REQUESTED

    @property
    def is_approved(self) -> bool:
        """Approved and applied to the grant."""
        return self.state == self.State.APPROVED


class MonitoringVisit(models.Model):
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField()
    visitors = models.CharField(max_length=300)
    findings = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on"]

    def __str__(self) -> str:
        return f"Visit {self.visited_on} — {self.grant}"


class FollowUpAction(models.Model):
    visit = models.ForeignKey(MonitoringVisit, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    due_date = models.DateField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closing_note = models.TextField(blank=True)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.description[:60]
