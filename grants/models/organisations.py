from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grants.countries import COUNTRIES
from grants.registries import validate_registry
from grants.roles import MembershipRole


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
    Role = MembershipRole

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
