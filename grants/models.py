from decimal import Decimal
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from grants import policies
from grants.countries import COUNTRIES, CURRENCIES
from grants.registries import validate_registry


def validate_timezone(value: str) -> None:
    # A validator, not `choices`: the list comes from the system's tz database, which must not
    # leak into migrations.
    if value not in available_timezones():
        raise ValidationError(_("“%(value)s” is not a time zone."), params={"value": value})


MONEY = {"max_digits": 14, "decimal_places": 2}


def default_tranche_template() -> list:
    return [{"percent": 80, "trigger": "signature"}, {"percent": 20, "trigger": "final_report"}]


def default_reporting_template() -> dict:
    return {"interim_every_months": 6, "final_within_days": 30}


def default_report_questions() -> list:
    return [
        "What did the project achieve in this period?",
        "What did not go as planned, and what did you do about it?",
        "What are the next steps?",
    ]


def _validate_offsets(value, kinds) -> None:
    from workflows import offsets

    try:
        offsets.clean(value, kinds)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        # A field validator must raise a list: Field.run_validators reads `error_list`, which
        # an error keyed by deadline kind does not have (an AttributeError, a 500).
        raise ValidationError(
            [
                f"{kind}: {message}"
                for kind, messages in exc.message_dict.items()
                for message in messages
            ]
        ) from exc


def validate_programme_offsets(value) -> None:
    from workflows import offsets

    _validate_offsets(value, offsets.PROGRAMME_KINDS)


def validate_call_offsets(value) -> None:
    from workflows import offsets

    _validate_offsets(value, offsets.CALL_KINDS)


class OrganisationType(models.TextChoices):
    CSO = "cso", _("Civil society organisation")
    GRASSROOTS = "grassroots", _("Grassroots group / informal initiative")
    MEDIA = "media", _("Media organisation")
    ACADEMIC = "academic", _("University or research institute")
    PUBLIC_BODY = "public_body", _("Public body / local authority")
    NETWORK = "network", _("Network or platform of CSOs")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    legal_name = models.CharField(_("legal name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=80, blank=True)
    country = models.CharField(_("country"), max_length=2, choices=COUNTRIES)
    city = models.CharField(_("city"), max_length=120, blank=True)
    registration_number = models.CharField(_("registration number"), max_length=64, blank=True)
    registry = models.CharField(
        _("register"),
        max_length=20,
        blank=True,
        validators=[validate_registry],
        help_text=_(
            "The register the registration number belongs to, as its org-id.guide list code "
            "(e.g. RS-APR, the Serbian Business Registrations Agency). With both, the open "
            "data identifies the organisation by its org-id (RS-APR-<number>)."
        ),
    )
    org_type = models.CharField(
        _("organisation type"), max_length=20, choices=OrganisationType.choices
    )
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations"
    )

    class Meta:
        ordering = ["legal_name"]

    def __str__(self) -> str:
        return self.short_name or self.legal_name


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator (manages members, signs)")
        MEMBER = "member", _("Member (drafts and submits)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"


class MembershipInvitation(models.Model):
    """An organisation's invitation to someone who already has an account. They become a
    member only when they accept it: membership decides conflicts of interest (who may review
    or decide an application), so nobody is made a member of an organisation without their
    consent. Open while `answered_at` is empty; at most one open invitation per person and
    organisation. A withdrawn invitation is deleted."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership_invitations"
    )
    role = models.CharField(
        max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    accepted = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(answered_at__isnull=True),
                name="membership_invitation_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation} ({self.role})"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class Donor(models.Model):
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name


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
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="grants")
    state = FSMField(default=State.AWARDED, choices=State.choices, protected=True)
    donor = models.ForeignKey(Donor, null=True, blank=True, on_delete=models.PROTECT)
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
        permission=policies.can_sign_grant,
        custom={"label": _("Sign the agreement")},
    )
    def sign(self) -> None:
        pass

    @transition(
        field=state,
        source=State.CONTRACTED,
        target=State.ACTIVE,
        permission=policies.can_manage_grant,
        custom={"label": _("Start")},
    )
    def activate(self) -> None:
        pass

    @transition(
        field=state,
        source=State.ACTIVE,
        target=State.CLOSING,
        permission=policies.can_manage_grant,
        custom={"label": _("Start closing")},
    )
    def start_closing(self) -> None:
        pass

    @transition(
        field=state,
        source=State.CLOSING,
        target=State.CLOSED,
        permission=policies.can_manage_grant,
        custom={"label": _("Close")},
    )
    def close(self) -> None:
        pass

    @transition(
        field=state,
        source=State.ACTIVE,
        target=State.SUSPENDED,
        permission=policies.can_manage_grant,
        custom={"label": _("Suspend")},
    )
    def suspend(self) -> None:
        pass

    @transition(
        field=state,
        source=State.SUSPENDED,
        target=State.ACTIVE,
        permission=policies.can_manage_grant,
        custom={"label": _("Resume")},
    )
    def resume(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.ACTIVE, State.SUSPENDED],
        target=State.TERMINATED,
        permission=policies.can_manage_grant,
        custom={"label": _("Terminate")},
    )
    def terminate(self) -> None:
        pass


class Programme(models.Model):
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="programmes",
        verbose_name=_("owner organisation"),
    )
    donors = models.ManyToManyField(Donor, blank=True, related_name="programmes")
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default="EUR")
    budget = models.DecimalField(_("total budget"), **MONEY)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    timezone = models.CharField(
        _("time zone"), max_length=64, validators=[validate_timezone], default="Europe/Belgrade"
    )
    report_questions = models.JSONField(
        _("narrative report questions"), default=default_report_questions, blank=True
    )
    reminder_offsets = models.JSONField(
        _("reminder offsets"),
        default=dict,
        blank=True,
        validators=[validate_programme_offsets],
        help_text=_(
            'Changes the default reminder days for this programme, e.g. {"report_due": '
            '"-14, -7, -1, +1, +7 manager"}. Empty: the defaults.'
        ),
    )
    parent_grant = models.ForeignKey(
        Grant,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funded_programmes",
        help_text=_("The grant that funds this programme (cascade funding)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="programme_period_valid"
            ),
            models.CheckConstraint(condition=Q(budget__gte=0), name="programme_budget_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class ProgrammeRole(models.Model):
    class Role(models.TextChoices):
        MANAGER = "manager", _("Programme manager")
        APPROVER = "approver", _("Approver")
        OBSERVER = "observer", _("Donor observer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="programme_roles"
    )
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "programme", "role"], name="programme_role_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.programme}"


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

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="calls")
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
        permission=policies.can_manage_call,
        custom={"label": _("Publish")},
    )
    def publish(self) -> None:
        self.published_at = timezone.now()

    @transition(
        field=state,
        source=State.OPEN,
        target=State.CLOSED,
        permission=policies.can_manage_call,
        custom={"label": _("Close")},
    )
    def close(self) -> None:
        pass

    @transition(
        field=state,
        source=State.CLOSED,
        target=State.IN_REVIEW,
        permission=policies.can_manage_call,
        custom={"label": _("Start review")},
    )
    def start_review(self) -> None:
        pass

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.DECIDED,
        permission=policies.can_manage_call,
        custom={"label": _("Record decision")},
    )
    def decide(self) -> None:
        pass

    @transition(
        field=state,
        source=State.DECIDED,
        target=State.ARCHIVED,
        permission=policies.can_manage_call,
        custom={"label": _("Archive")},
    )
    def archive(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.DRAFT, State.OPEN],
        target=State.CANCELLED,
        permission=policies.can_manage_call,
        custom={"label": _("Cancel")},
    )
    def cancel(self) -> None:
        pass


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


# After the award: the grant's life ------------------------------------------------------


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
        from applications.models import BudgetLine

        return str(dict(BudgetLine.Category.choices).get(self.category, self.category))


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

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="reports")
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
        permission=policies.can_manage_report,
        custom={"label": _("Open")},
    )
    def open(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.OPEN, State.CHANGES_REQUESTED],
        target=State.SUBMITTED,
        permission=policies.is_grantee_of_report,
        custom={"label": _("Submit")},
    )
    def submit(self) -> None:
        pass

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.APPROVED,
        permission=policies.can_decide_report,
        custom={"label": _("Approve")},
    )
    def approve(self) -> None:
        pass

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.CHANGES_REQUESTED,
        permission=policies.can_decide_report,
        custom={"label": _("Request changes")},
    )
    def request_changes(self) -> None:
        pass


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

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="tranches")
    number = models.PositiveSmallIntegerField()
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    amount = models.DecimalField(**MONEY)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    trigger_report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="tranches"
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
        permission=policies.can_manage_tranche,
        custom={"label": _("Make due")},
    )
    def make_due(self) -> None:
        pass

    @transition(
        field=state,
        source=State.DUE,
        target=State.APPROVED,
        permission=policies.can_approve_tranche,
        custom={"label": _("Approve payment")},
    )
    def approve(self) -> None:
        pass

    @transition(
        field=state,
        source=State.APPROVED,
        target=State.PAID,
        permission=policies.can_pay_tranche,
        custom={"label": _("Record payment")},
    )
    def pay(self) -> None:
        pass


class FinancialLine(models.Model):
    """Spending on one budget line in a report, in the report's currency."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="financial_lines")
    budget_line = models.ForeignKey(GrantBudgetLine, on_delete=models.CASCADE, related_name="+")
    spent = models.DecimalField(default=0, **MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "budget_line"], name="financial_line_unique"),
            models.CheckConstraint(condition=Q(spent__gte=0), name="financial_line_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.budget_line}: {self.spent}"


class Indicator(models.Model):
    """A programme's result indicator, e.g. "CSO representatives trained", target 50."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="indicators")
    order = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(max_length=20, blank=True)
    name = models.CharField(max_length=255)
    unit = models.CharField(max_length=40, blank=True)
    target = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["programme", "order", "id"]

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="indicator_values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
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


class StoredUpload(models.Model):
    """A file someone uploaded, checked on the way in (see applications.uploads): what it was
    called on their machine, what it really is, how big, who and when. Subclasses say where
    it belongs and where it is stored (their own `file` field with its `upload_to`)."""

    file = models.FileField(max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name


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


class ExchangeRate(models.Model):
    """Monthly rate the manager keeps (e.g. InforEuro): `rate` units of `currency` equal one
    unit of the programme's currency."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="rates")
    currency = models.CharField(max_length=3, choices=CURRENCIES)
    month = models.DateField(help_text=_("The first day of the month."))
    rate = models.DecimalField(max_digits=14, decimal_places=6)

    class Meta:
        ordering = ["-month", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "currency", "month"], name="exchange_rate_unique"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.rate} {self.currency}"


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
        permission=policies.can_manage_amendment,
    )
    def approve(self) -> None:
        pass

    @transition(
        field=state,
        source=State.REQUESTED,
        target=State.REJECTED,
        permission=policies.can_manage_amendment,
    )
    def reject(self) -> None:
        pass


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
