import uuid
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from applications import policies
from grants.models import MONEY, BudgetCategory, StoredUpload
from workflows.permissions import fsm_permission


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

    call = models.ForeignKey("grants.Call", on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(
        "grants.Organisation", on_delete=models.PROTECT, related_name="applications"
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
        permission=fsm_permission(policies.can_act_for_applicant),
        custom={"label": _("Submit")},
    )
    def submit(self) -> None:
        pass

    @transition(
        field=state,
        source=BEFORE_DECISION,
        target=State.WITHDRAWN,
        permission=fsm_permission(policies.can_act_for_applicant),
        custom={"label": _("Withdraw")},
    )
    def withdraw(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.SUBMITTED, State.ELIGIBLE],
        target=State.CLARIFICATION_REQUESTED,
        permission=fsm_permission(policies.can_manage_application),
        custom={"label": _("Request clarification")},
    )
    def request_clarification(self) -> None:
        pass

    @transition(
        field=state,
        source=State.CLARIFICATION_REQUESTED,
        target=State.SUBMITTED,
        permission=fsm_permission(policies.can_act_for_applicant),
        custom={"label": _("Answer and resubmit")},
    )
    def resubmit(self) -> None:
        pass

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.ELIGIBLE,
        permission=fsm_permission(policies.can_manage_application),
        custom={"label": _("Mark eligible")},
    )
    def mark_eligible(self) -> None:
        pass

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.INELIGIBLE,
        permission=fsm_permission(policies.can_manage_application),
        custom={"label": _("Mark ineligible")},
    )
    def mark_ineligible(self) -> None:
        pass

    # Review and selection: performed by the services in applications.services.review. ---------

    @transition(
        field=state,
        source=State.ELIGIBLE,
        target=State.IN_REVIEW,
        permission=fsm_permission(policies.can_manage_application),
        custom={"label": _("Start review")},
    )
    def start_review(self) -> None:
        pass

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.REVIEWED,
        permission=fsm_permission(policies.can_manage_application),
        custom={"admin": False},
    )
    def complete_review(self) -> None:
        pass

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.MODERATION,
        permission=fsm_permission(policies.can_manage_application),
        custom={"admin": False},
    )
    def send_to_moderation(self) -> None:
        pass

    @transition(
        field=state,
        source=State.MODERATION,
        target=State.REVIEWED,
        permission=fsm_permission(policies.can_manage_application),
        custom={"label": _("Record consensus")},
    )
    def resolve_moderation(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.MODERATION, State.REVIEWED],
        target=State.IN_REVIEW,
        permission=fsm_permission(policies.can_manage_application),
        custom={"admin": False},
    )
    def resume_review(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.REVIEWED, State.RESERVE],
        target=State.SHORTLISTED,
        permission=fsm_permission(policies.can_manage_application),
        custom={"admin": False},
    )
    def shortlist(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.REVIEWED, State.SHORTLISTED],
        target=State.RESERVE,
        permission=fsm_permission(policies.can_manage_application),
        custom={"admin": False},
    )
    def place_on_reserve(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.SHORTLISTED, State.RESERVE],
        target=State.REVIEWED,
        permission=fsm_permission(policies.can_manage_application),
        custom={"admin": False},
    )
    def unlist(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.SHORTLISTED, State.RESERVE],
        target=State.AWARDED,
        permission=fsm_permission(policies.can_decide_application),
        custom={"admin": False},
    )
    def award(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.REVIEWED, State.SHORTLISTED, State.RESERVE],
        target=State.REJECTED,
        permission=fsm_permission(policies.can_decide_application),
        custom={"admin": False},
    )
    def reject(self) -> None:
        pass

    # Named states, for templates and callers: ask the object, not its state string.

    @property
    def is_awarded(self) -> bool:
        """Selected for funding."""
        return self.state == self.State.AWARDED

    @property
    def is_on_reserve(self) -> bool:
        """On the reserve list."""
        return self.state == self.State.RESERVE

    @property
    def is_rejected(self) -> bool:
        """Not selected for funding."""
        return self.state == self.State.REJECTED

    @property
    def in_moderation(self) -> bool:
        """Its reviews diverge: a moderator decides."""
        return self.state == self.State.MODERATION

    @property
    def is_ineligible(self) -> bool:
        """Did not pass the eligibility check."""
        return self.state == self.State.INELIGIBLE


class Answer(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        "grants.CallQuestion", on_delete=models.CASCADE, related_name="answers"
    )
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
    organisation = models.ForeignKey(
        "grants.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role in the project"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "organisation"], name="partner_unique")
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class BudgetLine(models.Model):
    Category = BudgetCategory

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
        "grants.CallQuestion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
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
