from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.timezones import validate_timezone
from grants.countries import CURRENCIES
from grants.models.common import MONEY, default_report_questions, validate_programme_offsets
from grants.roles import ProgrammeRoleName


class Donor(models.Model):
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name


class Programme(models.Model):
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        "grants.Organisation",
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
        "grants.Grant",
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
    Role = ProgrammeRoleName

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
