import uuid
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from applications import policies
from grants.models import MONEY, Call, CallQuestion, Organisation, StoredUpload


class Application(FSMModelMixin, models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        CLARIFICATION_REQUESTED = "clarification_requested", _("Clarification requested")
        ELIGIBLE = "eligible", _("Eligible")
        INELIGIBLE = "ineligible", _("Ineligible")
        IN_REVIEW = "in_review", _("In review")
        REVIEWED = "reviewed", _("Reviewed")
        MODERATION = "moderation", _("Moderation")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        RESERVE = "reserve", _("Reserve list")
        AWARDED = "awarded", _("Awarded")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # What an applicant sees: a simple public status, not the internal names.
    PUBLIC_STATUS = {
        State.DRAFT: _("Draft"),
        State.SUBMITTED: _("Submitted"),
        State.CLARIFICATION_REQUESTED: _("Clarification requested"),
        State.ELIGIBLE: _("Under review"),
        State.INELIGIBLE: _("Not eligible"),
        State.IN_REVIEW: _("Under review"),
        State.REVIEWED: _("Under review"),
        State.MODERATION: _("Under review"),
        State.SHORTLISTED: _("Under review"),
        State.RESERVE: _("Under review"),
        State.AWARDED: _("Decision made"),
        State.REJECTED: _("Decision made"),
        State.WITHDRAWN: _("Withdrawn"),
    }
    BEFORE_DECISION = [
        State.DRAFT,
        State.SUBMITTED,
        State.CLARIFICATION_REQUESTED,
        State.ELIGIBLE,
        State.IN_REVIEW,
        State.REVIEWED,
        State.MODERATION,
        State.SHORTLISTED,
        State.RESERVE,
    ]

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="applications"
    )
    title = models.CharField(_("project title"), max_length=255)
    state = FSMField(default=State.DRAFT, choices=State.choices, protected=True)
    reference = models.CharField(max_length=40, unique=True, null=True, blank=True)
    # Optimistic concurrency: every edit bumps it; an edit based on an older version is refused.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    eligibility_reason = models.TextField(blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    screened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["call", "state"])]

    def __str__(self) -> str:
        return self.reference or self.title

    @property
    def is_editable(self) -> bool:
        return self.state == self.State.DRAFT

    @property
    def public_status(self) -> str:
        return self.PUBLIC_STATUS[self.state]

    # Transitions only change fields; applications.services performs them. -------------

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.SUBMITTED,
        permission=policies.is_applicant,
        custom={"label": _("Submit")},
    )
    def submit(self) -> None:
        pass

    @transition(
        field=state,
        source=BEFORE_DECISION,
        target=State.WITHDRAWN,
        permission=policies.is_applicant,
        custom={"label": _("Withdraw")},
    )
    def withdraw(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.SUBMITTED, State.ELIGIBLE],
        target=State.CLARIFICATION_REQUESTED,
        permission=policies.is_manager,
        custom={"label": _("Request clarification")},
    )
    def request_clarification(self) -> None:
        pass

    @transition(
        field=state,
        source=State.CLARIFICATION_REQUESTED,
        target=State.SUBMITTED,
        permission=policies.is_applicant,
        custom={"label": _("Answer and resubmit")},
    )
    def resubmit(self) -> None:
        pass

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.ELIGIBLE,
        permission=policies.is_manager,
        custom={"label": _("Mark eligible")},
    )
    def mark_eligible(self) -> None:
        pass

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.INELIGIBLE,
        permission=policies.is_manager,
        custom={"label": _("Mark ineligible")},
    )
    def mark_ineligible(self) -> None:
        pass

    # Review and selection: performed by the services in applications.review. ---------

    @transition(
        field=state,
        source=State.ELIGIBLE,
        target=State.IN_REVIEW,
        permission=policies.is_manager,
        custom={"label": _("Start review")},
    )
    def start_review(self) -> None:
        pass

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.REVIEWED,
        permission=policies.is_manager,
        custom={"admin": False},
    )
    def complete_review(self) -> None:
        pass

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.MODERATION,
        permission=policies.is_manager,
        custom={"admin": False},
    )
    def send_to_moderation(self) -> None:
        pass

    @transition(
        field=state,
        source=State.MODERATION,
        target=State.REVIEWED,
        permission=policies.is_manager,
        custom={"label": _("Record consensus")},
    )
    def resolve_moderation(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.MODERATION, State.REVIEWED],
        target=State.IN_REVIEW,
        permission=policies.is_manager,
        custom={"admin": False},
    )
    def resume_review(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.REVIEWED, State.RESERVE],
        target=State.SHORTLISTED,
        permission=policies.is_manager,
        custom={"admin": False},
    )
    def shortlist(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.REVIEWED, State.SHORTLISTED],
        target=State.RESERVE,
        permission=policies.is_manager,
        custom={"admin": False},
    )
    def place_on_reserve(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.SHORTLISTED, State.RESERVE],
        target=State.REVIEWED,
        permission=policies.is_manager,
        custom={"admin": False},
    )
    def unlist(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.SHORTLISTED, State.RESERVE],
        target=State.AWARDED,
        permission=policies.is_approver,
        custom={"admin": False},
    )
    def award(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.REVIEWED, State.SHORTLISTED, State.RESERVE],
        target=State.REJECTED,
        permission=policies.is_approver,
        custom={"admin": False},
    )
    def reject(self) -> None:
        pass


class Answer(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(CallQuestion, on_delete=models.CASCADE, related_name="answers")
    value = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "question"], name="answer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.value[:40]}"


class Partner(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role in the project"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "organisation"], name="partner_unique")
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class BudgetLine(models.Model):
    class Category(models.TextChoices):
        STAFF = "staff", _("Staff")
        TRAVEL = "travel", _("Travel and accommodation")
        EQUIPMENT = "equipment", _("Equipment and supplies")
        ACTIVITIES = "activities", _("Activities and events")
        SERVICES = "services", _("External services")
        COMMUNICATION = "communication", _("Communication and visibility")
        OTHER = "other", _("Other")
        INDIRECT = "indirect", _("Indirect costs")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="budget_lines"
    )
    order = models.PositiveSmallIntegerField(default=0)
    category = models.CharField(max_length=20, choices=Category.choices)
    description = models.CharField(max_length=300)
    amount_requested = models.DecimalField(_("requested"), **MONEY)
    own_contribution = models.DecimalField(_("own contribution"), default=0, **MONEY)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_requested__gte=0) & Q(own_contribution__gte=0),
                name="budget_line_amounts_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def total(self) -> Decimal:
        return self.amount_requested + self.own_contribution


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Stored under a generated name: the original name is kept in a field, never on disk.
    suffix = Path(filename).suffix.lower()[:10]
    return f"attachments/{instance.application_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(StoredUpload):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    question = models.ForeignKey(
        CallQuestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to=attachment_path, max_length=255)

    class Meta:
        ordering = ["uploaded_at", "id"]


class ClarificationRequest(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="clarifications"
    )
    question = models.TextField()
    response_due_at = models.DateTimeField()
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-asked_at"]

    def __str__(self) -> str:
        return self.question[:60]


def budget_totals(lines) -> dict[str, Decimal]:
    """Requested, own contribution, total and co-financing % of a set of budget lines."""
    requested = sum((line.amount_requested for line in lines), Decimal("0"))
    own = sum((line.own_contribution for line in lines), Decimal("0"))
    total = requested + own
    percent = (
        (own * 100 / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if total
        else Decimal("0.00")
    )
    return {"requested": requested, "own": own, "total": total, "cofinancing_percent": percent}


# Review and selection ---------------------------------------------------------------------


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
        Application, on_delete=models.CASCADE, related_name="assignments"
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
        permission=policies.is_assigned_reviewer,
    )
    def declare_no_conflict(self) -> None:
        pass

    @transition(
        field=state,
        source=State.INVITED,
        target=State.RECUSED,
        permission=policies.is_assigned_reviewer,
    )
    def declare_conflict(self) -> None:
        pass

    @transition(
        field=state,
        source=State.INVITED,
        target=State.DECLINED,
        permission=policies.is_assigned_reviewer,
    )
    def decline(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.ACCEPTED, State.REOPENED],
        target=State.SUBMITTED,
        permission=policies.is_assigned_reviewer,
    )
    def submit(self) -> None:
        pass

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.REOPENED,
        permission=policies.is_assignment_moderator,
    )
    def reopen(self) -> None:
        pass


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
        Application, on_delete=models.CASCADE, related_name="consensus_scores"
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


class AwardList(FSMModelMixin, models.Model):
    """The award list of a call: proposed by a programme manager, approved by a different user
    with the approver role (maker–checker)."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned for changes")

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="award_lists")
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
        permission=policies.can_approve_award_list,
    )
    def approve(self) -> None:
        pass

    @transition(
        field=state,
        source=State.PROPOSED,
        target=State.RETURNED,
        permission=policies.can_approve_award_list,
    )
    def return_for_changes(self) -> None:
        pass


class AwardListItem(models.Model):
    class Outcome(models.TextChoices):
        AWARD = "award", _("Award")
        RESERVE = "reserve", _("Reserve list")
        REJECT = "reject", _("Reject")

    award_list = models.ForeignKey(AwardList, on_delete=models.CASCADE, related_name="items")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
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
