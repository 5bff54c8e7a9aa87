from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from grants import policies
from grants.models.common import MONEY
from workflows.permissions import fsm_permission


class Tranche(FSMModelMixin, models.Model):
    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DUE = "due", _("Due")
        APPROVED = "approved", _("Approved for payment")
        PAID = "paid", _("Paid")

    class Trigger(models.TextChoices):
        SIGNATURE = "signature", _("On signature")
        REPORT = "report", _("On approval of a report")
        MANUAL = "manual", _("Manual")

    grant = models.ForeignKey("grants.Grant", on_delete=models.CASCADE, related_name="tranches")
    number = models.PositiveSmallIntegerField()
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    amount = models.DecimalField(**MONEY)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    trigger_report = models.ForeignKey(
        "grants.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="tranches"
    )
    state = FSMField(default=State.PLANNED, choices=State.choices, protected=True)
    due_at = models.DateTimeField(null=True, blank=True)
    made_due_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_on = models.DateField(null=True, blank=True)
    paid_amount = models.DecimalField(null=True, blank=True, **MONEY)
    payment_reference = models.CharField(max_length=100, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["grant", "number"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "number"], name="tranche_number_unique"),
            # Maker–checker: whoever made a tranche due does not approve it.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | Q(made_due_by__isnull=True)
                | ~Q(approved_by=models.F("made_due_by")),
                name="tranche_four_eyes",
            ),
            models.CheckConstraint(
                condition=Q(paid_amount__isnull=True) | Q(paid_amount__lte=models.F("amount")),
                name="tranche_paid_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"Tranche {self.number} of {self.grant}"

    @transition(
        field=state,
        source=State.PLANNED,
        target=State.DUE,
        permission=fsm_permission(policies.can_manage_tranche),
        custom={"label": _("Make due")},
    )
    def make_due(self) -> None:
        pass

    @transition(
        field=state,
        source=State.DUE,
        target=State.APPROVED,
        permission=fsm_permission(policies.can_approve_tranche),
        custom={"label": _("Approve payment")},
    )
    def approve(self) -> None:
        pass

    @transition(
        field=state,
        source=State.APPROVED,
        target=State.PAID,
        permission=fsm_permission(policies.can_pay_tranche),
        custom={"label": _("Record payment")},
    )
    def pay(self) -> None:
        pass

    # Named states, for templates and callers: ask the object, not its state string.

    @property
    def is_paid(self) -> bool:
        """Paid to the grantee."""
        return self.state == self.State.PAID
