from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from applications import policies
from workflows.permissions import fsm_permission


class ReviewAssignment(FSMModelMixin, models.Model):
    """One reviewer on one application. The reviewer sees the content only once they have
    declared no conflict of interest (state `accepted` or later)."""

    class State(models.TextChoices):
        INVITED = "invited", _("Awaiting declaration")
        ACCEPTED = "accepted", _("No conflict declared")
        RECUSED = "recused", _("Recused (conflict)")
        DECLINED = "declined", _("Declined")
        SUBMITTED = "submitted", _("Review submitted")
        REOPENED = "reopened", _("Reopened by moderator")

    ACTIVE = [State.INVITED, State.ACCEPTED, State.SUBMITTED, State.REOPENED]
    CAN_SEE_CONTENT = [State.ACCEPTED, State.SUBMITTED, State.REOPENED]

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments"
    )
    state = FSMField(default=State.INVITED, choices=State.choices, protected=True)
    due_at = models.DateTimeField()
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    declared_at = models.DateTimeField(null=True, blank=True)
    conflict_reason = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="assignment_unique_per_reviewer"
            )
        ]
        indexes = [models.Index(fields=["reviewer", "state"])]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.application}"

    @property
    def can_see_content(self) -> bool:
        return self.state in self.CAN_SEE_CONTENT

    @transition(
        field=state,
        source=State.INVITED,
        target=State.ACCEPTED,
        permission=fsm_permission(policies.can_review_assignment),
    )
    def declare_no_conflict(self) -> None:
        pass

    @transition(
        field=state,
        source=State.INVITED,
        target=State.RECUSED,
        permission=fsm_permission(policies.can_review_assignment),
    )
    def declare_conflict(self) -> None:
        pass

    @transition(
        field=state,
        source=State.INVITED,
        target=State.DECLINED,
        permission=fsm_permission(policies.can_review_assignment),
    )
    def decline(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.ACCEPTED, State.REOPENED],
        target=State.SUBMITTED,
        permission=fsm_permission(policies.can_review_assignment),
    )
    def submit(self) -> None:
        pass

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.REOPENED,
        permission=fsm_permission(policies.can_moderate_assignment),
    )
    def reopen(self) -> None:
        pass

    # Named states, for templates and callers: ask the object, not its state string.

    @property
    def is_recused(self) -> bool:
        """The reviewer declared a conflict of interest."""
        return self.state == self.State.RECUSED

    @property
    def is_declined(self) -> bool:
        """The reviewer declined the assignment."""
        return self.state == self.State.DECLINED

    @property
    def is_submitted(self) -> bool:
        """The review is submitted."""
        return self.state == self.State.SUBMITTED


class Review(models.Model):
    class Recommendation(models.TextChoices):
        FUND = "fund", _("Fund")
        FUND_WITH_CHANGES = "fund_with_changes", _("Fund with changes")
        RESERVE = "reserve", _("Reserve")
        REJECT = "reject", _("Do not fund")

    assignment = models.OneToOneField(
        ReviewAssignment, on_delete=models.CASCADE, related_name="review"
    )
    overall_comment = models.TextField(blank=True)
    recommendation = models.CharField(max_length=20, choices=Recommendation.choices, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Review of {self.assignment}"


class Score(models.Model):
    """A reviewer's score for one criterion. NULL means not scored yet — never zero."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        "grants.Criterion", on_delete=models.CASCADE, related_name="scores"
    )
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_unique"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0), name="score_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class ConsensusScore(models.Model):
    """A moderator's consensus score for a criterion, replacing the mean of the reviews."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="consensus_scores"
    )
    criterion = models.ForeignKey("grants.Criterion", on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(max_digits=6, decimal_places=2)
    justification = models.TextField()
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "criterion"], name="consensus_unique")
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score} (consensus)"
