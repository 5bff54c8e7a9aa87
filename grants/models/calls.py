from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.timezones import validate_timezone
from grants import policies
from grants.countries import COUNTRIES
from grants.models.common import (
    MONEY,
    default_reporting_template,
    default_tranche_template,
    validate_call_offsets,
)
from workflows.permissions import fsm_permission


class Call(FSMModelMixin, models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        IN_REVIEW = "in_review", _("In review")
        DECIDED = "decided", _("Decided")
        ARCHIVED = "archived", _("Archived")
        CANCELLED = "cancelled", _("Cancelled")

    class Scope(models.TextChoices):
        NATIONAL = "national", _("National")
        REGIONAL = "regional", _("Regional")

    programme = models.ForeignKey(
        "grants.Programme", on_delete=models.PROTECT, related_name="calls"
    )
    title = models.CharField(_("title"), max_length=255)
    reference_prefix = models.CharField(
        _("reference prefix"),
        max_length=20,
        blank=True,
        help_text=_("Starts every application reference, e.g. SHB-NAT-RS."),
    )
    summary = models.CharField(_("summary"), max_length=400, blank=True)
    description = models.TextField(_("description"), blank=True)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.NATIONAL)
    state = FSMField(default=State.DRAFT, choices=State.choices, protected=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(
        _("closes at"), help_text=_("The last second at which a submission is accepted.")
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, validators=[validate_timezone], default="Europe/Belgrade"
    )
    budget = models.DecimalField(_("budget"), **MONEY)
    min_grant = models.DecimalField(_("minimum grant"), **MONEY)
    max_grant = models.DecimalField(_("maximum grant"), **MONEY)
    min_cofinancing_percent = models.DecimalField(
        # xgettext:no-python-format
        _("minimum own contribution (% of total)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    eligible_countries = models.JSONField(
        _("eligible countries"), default=list, blank=True, help_text=_("Empty: any country.")
    )
    eligible_org_types = models.JSONField(
        _("eligible organisation types"), default=list, blank=True, help_text=_("Empty: any type.")
    )
    reviewers_per_application = models.PositiveSmallIntegerField(default=2)
    # Review settings -----------------------------------------------------------------
    review_due_at = models.DateTimeField(
        _("reviews due"), null=True, blank=True, help_text=_("Empty: 14 days after assignment.")
    )
    blind_review = models.BooleanField(
        _("blind review"),
        default=False,
        help_text=_("Hide the applicant's identity from reviewers."),
    )
    exclude_same_country = models.BooleanField(
        _("no reviewers from the applicant's country"), default=False
    )
    score_step = models.DecimalField(
        _("score step"), max_digits=4, decimal_places=2, default=Decimal("0.5")
    )
    comments_required = models.BooleanField(_("a comment per criterion is required"), default=True)

    class ReviewVisibility(models.TextChoices):
        NEVER = "never", _("Never")
        AFTER_SUBMIT = "after_submit", _("After submitting their own")

    other_reviews_visible = models.CharField(
        _("reviewers see other reviews"),
        max_length=20,
        choices=ReviewVisibility.choices,
        default=ReviewVisibility.AFTER_SUBMIT,
    )
    divergence_threshold_percent = models.DecimalField(
        # xgettext:no-python-format
        _("moderation when totals differ by more than (% of the higher)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("30"),
    )
    pass_threshold = models.DecimalField(
        _("overall pass mark (0–100)"), max_digits=5, decimal_places=2, default=Decimal("50")
    )
    # After the award -----------------------------------------------------------------
    grant_duration_months = models.PositiveSmallIntegerField(
        _("grant duration (months)"), default=12
    )
    tranche_template = models.JSONField(
        _("tranches"),
        default=default_tranche_template,
        help_text=_(
            'A list of {"percent": 80, "trigger": "signature"}; triggers: "signature", '
            '"report:<n>" (approval of the n-th report), "final_report", "manual".'
        ),
    )
    reporting_template = models.JSONField(
        _("reporting schedule"),
        default=default_reporting_template,
        help_text=_('{"interim_every_months": 6, "final_within_days": 30}'),
    )
    budget_flexibility_percent = models.DecimalField(
        _("budget flexibility per line (%)"), max_digits=5, decimal_places=2, default=Decimal("10")
    )
    obligations = models.TextField(_("grantee obligations (for the agreement)"), blank=True)
    reminder_offsets = models.JSONField(
        _("reminder offsets"),
        default=dict,
        blank=True,
        validators=[validate_call_offsets],
        help_text=_(
            'Changes the programme\'s reminder days for this call, e.g. {"call_closing": '
            '"-10, -3, -1"}. Empty: the programme\'s.'
        ),
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CallReviewer", related_name="reviewer_calls", blank=True
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["closes_at", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(min_grant__gte=0) & Q(max_grant__gte=models.F("min_grant")),
                name="call_grant_range_valid",
            ),
            models.CheckConstraint(
                condition=Q(min_cofinancing_percent__gte=0) & Q(min_cofinancing_percent__lte=100),
                name="call_cofinancing_percent_valid",
            ),
        ]
        indexes = [models.Index(fields=["state", "closes_at"])]

    def __str__(self) -> str:
        return self.title

    # Pure properties -----------------------------------------------------------------

    @property
    def currency(self) -> str:
        return self.programme.currency

    def accepts_submissions_at(self, moment) -> bool:
        """Open, opened, and not past its closing second (the closing second itself counts)."""
        moment = moment.replace(microsecond=0)
        return self.state == self.State.OPEN and self.opens_at <= moment <= self.closes_at

    @property
    def is_accepting(self) -> bool:
        return self.accepts_submissions_at(timezone.now())

    @property
    def rules_frozen(self) -> bool:
        return self.state != self.State.DRAFT

    # Transitions: they only change fields. Services in grants.services perform them. -----

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.OPEN,
        permission=fsm_permission(policies.can_manage_call),
        custom={"label": _("Publish")},
    )
    def publish(self) -> None:
        self.published_at = timezone.now()

    @transition(
        field=state,
        source=State.OPEN,
        target=State.CLOSED,
        permission=fsm_permission(policies.can_manage_call),
        custom={"label": _("Close")},
    )
    def close(self) -> None:
        pass

    @transition(
        field=state,
        source=State.CLOSED,
        target=State.IN_REVIEW,
        permission=fsm_permission(policies.can_manage_call),
        custom={"label": _("Start review")},
    )
    def start_review(self) -> None:
        pass

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.DECIDED,
        permission=fsm_permission(policies.can_manage_call),
        custom={"label": _("Record decision")},
    )
    def decide(self) -> None:
        pass

    @transition(
        field=state,
        source=State.DECIDED,
        target=State.ARCHIVED,
        permission=fsm_permission(policies.can_manage_call),
        custom={"label": _("Archive")},
    )
    def archive(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.DRAFT, State.OPEN],
        target=State.CANCELLED,
        permission=fsm_permission(policies.can_manage_call),
        custom={"label": _("Cancel")},
    )
    def cancel(self) -> None:
        pass

    # Named states, for templates and callers: ask the object, not its state string.

    @property
    def is_draft(self) -> bool:
        """Not published: only the programme team sees it."""
        return self.state == self.State.DRAFT

    @property
    def is_in_review(self) -> bool:
        """Closed, its applications being reviewed."""
        return self.state == self.State.IN_REVIEW

    @property
    def is_decided(self) -> bool:
        """The award list is approved."""
        return self.state == self.State.DECIDED


class CallQuestion(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        NUMBER = "number", _("Number")
        CHOICE = "choice", _("Choice")
        DATE = "date", _("Date")
        FILE = "file", _("File")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(max_length=300)
    help_text = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LONG_TEXT)
    required = models.BooleanField(default=True)
    max_length = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Characters, for text answers.")
    )
    choices = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.label


class Criterion(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    weight = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("1"))
    max_score = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("5"))
    pass_threshold = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name_plural = "criteria"
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gt=0) & Q(max_score__gt=0), name="criterion_positive"
            ),
            models.CheckConstraint(
                condition=Q(pass_threshold__isnull=True)
                | Q(pass_threshold__lte=models.F("max_score")),
                name="criterion_threshold_within_max",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CallReviewer(models.Model):
    """A reviewer in a call's pool: internal staff or an external expert."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="reviewer_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    is_external = models.BooleanField(default=False)
    country = models.CharField(
        _("reviewer's country"),
        max_length=2,
        choices=COUNTRIES,
        blank=True,
        help_text=_("Used when the call excludes reviewers from the applicant's country."),
    )
    capacity = models.PositiveIntegerField(
        _("maximum applications"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["call", "user"], name="call_reviewer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} reviews {self.call}"
