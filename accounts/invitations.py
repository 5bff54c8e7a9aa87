"""Invitations: an e-mail with a link to set a password, for an account someone else made.

The link is Django's password-reset token (single use, expiring after PASSWORD_RESET_TIMEOUT),
built from settings.SITE_URL so it is right when no request is at hand (on commit, in a
worker). The account has no usable password until the invited person sets one, so nobody
else ever knows it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation


class InvitationForm(PasswordResetForm):
    """Django's password-reset e-mail, sent to one known user: an invited account has no
    usable password yet, which the stock form would skip."""

    def __init__(self, user):
        super().__init__(data={"email": user.email})
        self.invited = user

    def get_users(self, email):
        return [self.invited]


def language_of(user) -> str:
    """The person's language if Regrant speaks it, English otherwise."""
    language = getattr(user, "language", "") or ""
    return language if language in dict(settings.LANGUAGES) else "en"


def send_set_password_email(
    user, *, subject_template_name: str, email_template_name: str, context: dict
) -> None:
    """One plain-text e-mail in the user's language. The templates get `site_url`, `uid`,
    `token` and `user`: the link is {{ site_url }}{% url '<view>' uidb64=uid token=token %}.
    A delivery failure is logged by Django, not raised."""
    site = urlsplit(settings.SITE_URL)
    form = InvitationForm(user)
    form.is_valid()
    with translation.override(language_of(user)):
        form.save(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            subject_template_name=subject_template_name,
            email_template_name=email_template_name,
            extra_email_context={"site_url": settings.SITE_URL.rstrip("/"), **context},
        )
