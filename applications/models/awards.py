from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from applications import policies
from grants.models import MONEY
from workflows.permissions import fsm_permission


class AwardList(FSMModelMixin, models.Model):
    """The award list of a call: proposed by a programme manager, approved by a different user
    with the approver role (maker–checker)."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned for changes")

    call = models.ForeignKey("grants.Call", on_delete=models.PROTECT, related_name="award_lists")
    state = FSMField(default=State.PROPOSED, choices=State.choices, protected=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_at"]
        constraints = [
            # Maker–checker, enforced by the database too.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("proposed_by")),
                name="award_list_four_eyes",
            ),
            models.UniqueConstraint(
                fields=["call"], condition=Q(state="proposed"), name="one_open_award_list_per_call"
            ),
        ]

    def __str__(self) -> str:
        return f"Award list for {self.call} ({self.state})"

    @transition(
        field=state,
        source=State.PROPOSED,
        target=State.APPROVED,
        permission=fsm_permission(policies.can_approve_award_list),
    )
    def approve(self) -> None:
        pass

    @transition(
        field=state,
        source=State.PROPOSED,
        target=State.RETURNED,
        permission=fsm_permission(policies.can_approve_award_list),
    )
    def return_for_changes(self) -> None:
        pass

    # Named states, for templates and callers: ask the object, not its state string.

    @property
    def is_approved(self) -> bool:
        """Approved: its decisions are made."""
        return self.state == self.State.APPROVED


class AwardListItem(models.Model):
    class Outcome(models.TextChoices):
        AWARD = "award", _("Award")
        RESERVE = "reserve", _("Reserve list")
        REJECT = "reject", _("Reject")

    award_list = models.ForeignKey(AwardList, on_delete=models.CASCADE, related_name="items")
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="+"
    )
    rank = models.PositiveIntegerField(null=True, blank=True)
    total_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    amount = models.DecimalField(null=True, blank=True, **MONEY)
    amount_reason = models.TextField(blank=True)
    feedback = models.TextField(_("evaluation summary for the applicant"), blank=True)

    class Meta:
        ordering = ["rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["award_list", "application"], name="award_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.outcome}"
