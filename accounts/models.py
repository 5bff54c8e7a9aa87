from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person. Logs in with their e-mail address; roles live on memberships, not here."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Belgrade")

    class Email(models.TextChoices):
        IMMEDIATE = "immediate", _("E-mail each one as it happens")
        DIGEST = "digest", _("One e-mail a day with everything new")
        NONE = "none", _("No e-mail: I read them in Regrant's inbox")

    notification_email = models.CharField(
        _("e-mail for news"),
        max_length=10,
        choices=Email.choices,
        default=Email.IMMEDIATE,
        help_text=_(
            "Deadline reminders and requests with a deadline are always e-mailed at once: "
            "they are about something you are responsible for."
        ),
    )
    digest_hour = models.PositiveSmallIntegerField(
        _("daily digest at"),
        default=7,
        validators=[MaxValueValidator(23)],
        help_text=_("The hour, in your time zone, at which the daily digest is sent."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.email
