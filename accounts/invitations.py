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
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation


class InvitationForm(PasswordResetForm):
    """Django's password-reset e-mail, sent to one known user: an invited account has no
    usable password yet, which the stock form would skip. The stock form logs a delivery
    failure; with raise_errors it is raised, for a caller who tells someone it did not go."""

    def __init__(self, user, *, raise_errors: bool = False):
        super().__init__(data={"email": user.email})
        self.invited = user
        self.raise_errors = raise_errors

    def get_users(self, email):
        return [self.invited]

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        if not self.raise_errors:
            return super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        EmailMessage(subject, body, from_email, [to_email]).send()


def language_of(user) -> str:
    """The person's language if Regrant speaks it, English otherwise."""
    language = getattr(user, "language", "") or ""
    return language if language in dict(settings.LANGUAGES) else "en"


def send_set_password_email(
    user,
    *,
    subject_template_name: str,
    email_template_name: str,
    context: dict,
    raise_errors: bool = False,
) -> None:
    """One plain-text e-mail in the user's language. The templates get `site_url`, `uid`,
    `token` and `user`: the link is {{ site_url }}{% url '<view>' uidb64=uid token=token %}.
    A delivery failure is logged by Django, not raised, unless raise_errors."""
    site = urlsplit(settings.SITE_URL)
    form = InvitationForm(user, raise_errors=raise_errors)
    form.is_valid()
    with translation.override(language_of(user)):
        form.save(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            subject_template_name=subject_template_name,
            email_template_name=email_template_name,
            extra_email_context={"site_url": settings.SITE_URL.rstrip("/"), **context},
        )
