"""The "Forgot your password?" link: Django's password-reset views, with our forms.

The e-mail is in the person's own language, plain text with an HTML alternative, and its link
is built on SITE_URL (never on the Host header of the request, which anyone can set). Unknown
addresses, inactive accounts and accounts without a password (an invited reviewer who has not
yet accepted) get nothing, and the page that follows says the same either way, so the form
does not tell who has an account.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.forms import PlainLabels

LANGUAGES = {code for code, _name in settings.LANGUAGES}


def link_validity() -> str:
    """How long a link works, as a sentence in the active language."""
    hours = max(1, round(settings.PASSWORD_RESET_TIMEOUT / 3600))
    if hours % 24 == 0:
        days = hours // 24
        return ngettext(
            "The link can be used once, within %(count)d day.",
            "The link can be used once, within %(count)d days.",
            days,
        ) % {"count": days}
    return ngettext(
        "The link can be used once, within %(count)d hour.",
        "The link can be used once, within %(count)d hours.",
        hours,
    ) % {"count": hours}


class PasswordResetRequestForm(PlainLabels, PasswordResetForm):
    """Asks for the address; e-mails a link to an active account with that address."""

    # Reset e-mails per address per hour; more requests are answered the same, sending nothing.
    per_hour = 5

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-mail")
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "autofocus": True})

    @staticmethod
    def throttle_key(email: str) -> str:
        digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        return f"password-reset:{digest}"

    def _within_limit(self, email: str) -> bool:
        key = self.throttle_key(email)
        cache.add(key, 0, timeout=3600)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=3600)
            count = 1
        return count <= self.per_hour

    def get_users(self, email):
        if not self._within_limit(email):
            return iter(())
        return super().get_users(email)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        user = context["user"]
        site = settings.SITE_URL.rstrip("/")
        path = reverse(
            "password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]}
        )
        language = user.language if user.language in LANGUAGES else settings.LANGUAGE_CODE
        with translation.override(language):
            context = {
                **context,
                "reset_url": f"{site}{path}",
                "site_url": site,
                "validity": link_validity(),
                "language": language,
            }
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name=html_email_template_name,
            )


class NewPasswordForm(PlainLabels, SetPasswordForm):
    """The new password, twice."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password2"].label = _("New password (again)")
