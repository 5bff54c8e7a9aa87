"""What a notification says, to one person: in their language, with times in their time zone,
as an e-mail in HTML and plain text with a link to the exact page.

Everything is composed when the notification is delivered (not when it is recorded), so the
words and times follow the recipient's settings at that moment and the facts are current.
What a notification of each kind says is its app's: see the composers in grants.notifications
and applications.notifications, registered with workflows.registry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workflows.models import Notification
from workflows.registry import composer_for


@dataclass
class Message:
    subject: str
    paragraphs: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    quote: str = ""
    action: str = ""
    url: str = ""
    greeting: str = ""
    language: str = "en"

    @property
    def link(self) -> str:
        return f"{settings.SITE_URL.rstrip('/')}{self.url}" if self.url else ""

    def send(self, *, to: str) -> None:
        _send(self, "message", to=to)


@dataclass
class Digest:
    subject: str
    intro: str
    items: list[Message]
    language: str
    url: str = "/inbox/"

    @property
    def link(self) -> str:
        return f"{settings.SITE_URL.rstrip('/')}{self.url}"

    def send(self, *, to: str) -> None:
        _send(self, "digest", to=to)


def _send(what: Message | Digest, name: str, *, to: str) -> None:
    """One e-mail, plain text with an HTML alternative, from workflows/email/<name>.*"""
    context = {name: what, "site_url": settings.SITE_URL}
    with translation.override(what.language):
        text = render_to_string(f"workflows/email/{name}.txt", context)
        html = render_to_string(f"workflows/email/{name}.html", context)
    email = EmailMultiAlternatives(subject=f"[Regrant] {what.subject}", body=text, to=[to])
    email.attach_alternative(html, "text/html")
    email.send()


def _zone(user) -> ZoneInfo:
    try:
        return ZoneInfo(user.timezone or settings.TIME_ZONE)
    except (KeyError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _language(user) -> str:
    known = {code for code, _name in settings.LANGUAGES}
    return user.language if user.language in known else settings.LANGUAGE_CODE


def render(notification: Notification) -> Message:
    user = notification.recipient
    language = _language(user)
    with translation.override(language), timezone.override(_zone(user)):
        try:
            message = composer_for(notification.kind)(notification)
        except ObjectGone:
            message = Message(subject=notification.subject, paragraphs=[notification.body])
        message.url = message.url or notification.url
        message.language = language
        message.greeting = _("Hello %(name)s,") % {"name": user.display_name}
    return message


def render_digest(user, notifications: list[Notification]) -> Digest:
    language = _language(user)
    items = [render(n) for n in notifications]
    with translation.override(language):
        count = len(items)
        return Digest(
            subject=ngettext(
                "Your daily summary: %(n)d new item", "Your daily summary: %(n)d new items", count
            )
            % {"n": count},
            intro=_("Hello %(name)s, this is what happened since your last summary.")
            % {"name": user.display_name},
            items=items,
            language=language,
        )


class ObjectGone(Exception):
    """What the notification is about no longer exists: say what was recorded."""


def object_or_gone(queryset, pk):
    """`queryset` is a model's manager or a queryset."""
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise ObjectGone from None


def when(moment: dt.datetime | None) -> str:
    """A moment in the active (the recipient's) time zone and language: 5 March 2027, 23:59 CET."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    return dateformat.format(local, "j F Y, H:i T")


# Reminders -------------------------------------------------------------------------------


def reminder_status(days: int) -> str:
    """How a reminder's subject starts: due in n days, due now, overdue by n days."""
    if days < 0:
        return ngettext("Due in %(n)d day", "Due in %(n)d days", -days) % {"n": -days}
    if days == 0:
        return _("Due now")
    return ngettext("Overdue by %(n)d day", "Overdue by %(n)d days", days) % {"n": days}


def reminder_parts(n: Notification) -> tuple[int, str, str]:
    """(days from the deadline, audience, the id in the deadline's key) of a reminder."""
    days = int(n.offset.rstrip("d"))
    return days, n.params.get("audience", "owner"), n.deadline_key.split(":")[1]
