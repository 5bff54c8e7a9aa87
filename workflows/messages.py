"""What a notification says, to one person: in their language, with times in their time zone,
as an e-mail in HTML and plain text with a link to the exact page.

Everything is composed when the notification is delivered (not when it is recorded), so the
words and times follow the recipient's settings at that moment and the facts are current.
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

K = Notification.Kind


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
            message = COMPOSERS[notification.kind](notification)
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


def _get(queryset, pk):
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


def _money(amount, currency: str) -> str:
    from grants.templatetags.money import format_money

    return format_money(amount, currency)


# Reminders -------------------------------------------------------------------------------


def _status(days: int) -> str:
    if days < 0:
        return ngettext("Due in %(n)d day", "Due in %(n)d days", -days) % {"n": -days}
    if days == 0:
        return _("Due now")
    return ngettext("Overdue by %(n)d day", "Overdue by %(n)d days", days) % {"n": days}


def _reminder(n: Notification) -> tuple[int, str, str]:
    days = int(n.offset.rstrip("d"))
    return days, n.params.get("audience", "owner"), n.deadline_key.split(":")[1]


def _report_title(report) -> str:
    return _("%(kind)s %(number)d") % {"kind": report.get_kind_display(), "number": report.number}


def report_due(n: Notification) -> Message:
    from grants.models import Report

    days, audience, pk = _reminder(n)
    report = _get(Report.objects.select_related("grant__organisation"), pk)
    grant = report.grant
    values = {
        "report": _report_title(report),
        "grant": grant.title,
        "org": grant.organisation.legal_name,
        "when": when(n.deadline_at),
    }
    if audience == "manager":
        paragraphs = [
            _("%(org)s has not submitted %(report)s for the grant “%(grant)s”, due %(when)s.")
            % values
        ]
        subject = f"{_status(days)}: {values['org']} — {values['report']}, {grant.title}"
    else:
        paragraphs = [
            _("%(report)s for the grant “%(grant)s” is due %(when)s.") % values,
            _("Submitting the report stops these reminders."),
        ]
        subject = f"{_status(days)}: {values['report']} — {grant.title}"
    return Message(subject=subject, paragraphs=paragraphs, action=_("Open the report"))


def review_due(n: Notification) -> Message:
    from applications.models import ReviewAssignment

    days, audience, pk = _reminder(n)
    assignment = _get(ReviewAssignment.objects.select_related("application__call", "reviewer"), pk)
    application = assignment.application
    values = {
        "application": application.reference or application.title,
        "call": application.call.title,
        "reviewer": assignment.reviewer.display_name,
        "when": when(n.deadline_at),
    }
    if audience == "manager":
        paragraphs = [
            _("%(reviewer)s has not submitted the review of %(application)s, due %(when)s.")
            % values
        ]
        action = _("Open the call's reviews")
    else:
        paragraphs = [
            _("Your review of %(application)s in the call “%(call)s” is due %(when)s.") % values
        ]
        action = _("Open the review")
    what = _("review of %(application)s") % values
    return Message(
        subject=f"{_status(days)}: {what}",
        paragraphs=paragraphs,
        action=action,
    )


def call_closing(n: Notification) -> Message:
    from grants.models import Call

    days, _audience, pk = _reminder(n)
    call = _get(Call.objects, pk)
    values = {"call": call.title, "when": when(call.closes_at)}
    return Message(
        subject=f"{_status(days)}: {call.title}",
        paragraphs=[
            _("The call “%(call)s” closes %(when)s.") % values,
            _(
                "Your organisation has a draft application for it that is not submitted yet. "
                "After the call closes, a draft can no longer be submitted."
            ),
        ],
        action=_("Open your applications"),
    )


def clarification_due(n: Notification) -> Message:
    from applications.models import ClarificationRequest

    days, audience, pk = _reminder(n)
    clarification = _get(
        ClarificationRequest.objects.select_related("application__organisation"), pk
    )
    application = clarification.application
    values = {
        "application": application.title,
        "reference": application.reference,
        "org": application.organisation.legal_name,
        "when": when(clarification.response_due_at),
    }
    if audience == "manager":
        what = _("clarification from %(org)s") % values
        return Message(
            subject=f"{_status(days)}: {what}",
            paragraphs=[
                _(
                    "%(org)s has not answered the clarification request about “%(application)s” "
                    "(%(reference)s), due %(when)s."
                )
                % values
            ],
            action=_("Open the application"),
        )
    what = _("clarification for %(reference)s") % values
    return Message(
        subject=f"{_status(days)}: {what}",
        paragraphs=[
            _(
                "The programme team asked for a clarification about “%(application)s” "
                "(%(reference)s). The answer is due %(when)s."
            )
            % values
        ],
        quote=clarification.question,
        action=_("Answer the clarification"),
    )


def tranche_due(n: Notification) -> Message:
    from grants.models import Tranche

    days, _audience, pk = _reminder(n)
    waiting = n.deadline_key.split(":")[2]
    tranche = _get(Tranche.objects.select_related("grant__organisation"), pk)
    grant = tranche.grant
    values = {
        "number": tranche.number,
        "grant": grant.title,
        "org": grant.organisation.legal_name,
        "amount": _money(tranche.amount, grant.currency),
        "when": when(n.deadline_at),
    }
    if waiting == "approval":
        subject = _("Tranche %(number)d waits for your approval: %(grant)s") % values
        paragraph = _(
            "Tranche %(number)d of the grant “%(grant)s” to %(org)s (%(amount)s) became due "
            "%(when)s and waits for approval."
        )
    else:
        subject = _("Tranche %(number)d waits for payment: %(grant)s") % values
        paragraph = _(
            "Tranche %(number)d of the grant “%(grant)s” to %(org)s (%(amount)s) was approved "
            "%(when)s and waits for payment."
        )
    if days > 0:
        subject = f"{subject} ({_status(days).lower()})"
    return Message(subject=subject, paragraphs=[paragraph % values], action=_("Open the grant"))


# Events ----------------------------------------------------------------------------------


def _application(n: Notification):
    from applications.models import Application

    return _get(
        Application.objects.select_related("call", "organisation"), n.params.get("application")
    )


def application_received(n: Notification) -> Message:
    application = _application(n)
    return Message(
        subject=_("Application %(reference)s received") % {"reference": application.reference},
        paragraphs=[
            _("Your application has been received."),
            _("Keep the reference number: quote it whenever you write to the programme team."),
        ],
        facts=[
            (_("Reference number"), application.reference),
            (_("Submitted at"), when(application.submitted_at)),
            (_("Project"), application.title),
            (_("Call"), application.call.title),
        ],
        action=_("See the receipt"),
        url=f"/applications/{application.pk}/receipt/",
    )


def clarification_requested(n: Notification) -> Message:
    from applications.models import ClarificationRequest

    application = _application(n)
    clarification = _get(ClarificationRequest.objects, n.params.get("clarification"))
    values = {
        "application": application.title,
        "reference": application.reference,
        "when": when(clarification.response_due_at),
    }
    return Message(
        subject=_("Clarification requested: %(reference)s") % values,
        paragraphs=[
            _("The programme team asks for a clarification about “%(application)s”:") % values,
            _("Please answer by %(when)s. Answering resubmits the application.") % values,
        ],
        quote=clarification.question,
        action=_("Answer the clarification"),
        url=f"/applications/{application.pk}/",
    )


def eligibility(n: Notification) -> Message:
    application = _application(n)
    values = {"reference": application.reference, "application": application.title}
    if n.params.get("eligible"):
        paragraphs = [
            _(
                "Your application “%(application)s” passed the eligibility check and goes on "
                "to the assessment."
            )
            % values
        ]
        facts = []
    else:
        paragraphs = [
            _("Your application “%(application)s” did not pass the eligibility check.") % values
        ]
        facts = [(_("Reason"), application.eligibility_reason)]
    return Message(
        subject=_("Eligibility check: %(reference)s") % values,
        paragraphs=paragraphs,
        facts=facts,
        action=_("See the application"),
        url=f"/applications/{application.pk}/",
    )


def review_assigned(n: Notification) -> Message:
    from applications.models import ReviewAssignment

    assignments = list(
        ReviewAssignment.objects.filter(pk__in=n.params.get("assignments", [])).select_related(
            "application__call"
        )
    )
    if not assignments:
        raise ObjectGone
    count = len(assignments)
    return Message(
        subject=ngettext(
            "One application was assigned to you for review",
            "%(n)d applications were assigned to you for review",
            count,
        )
        % {"n": count},
        paragraphs=[
            _(
                "Before you can read an application, declare whether you have a conflict of interest."
            )
        ],
        facts=[
            (
                a.application.reference or a.application.title,
                _("%(call)s — due %(when)s")
                % {"call": a.application.call.title, "when": when(a.due_at)},
            )
            for a in assignments
        ],
        action=_("Open your reviews"),
        url="/review/",
    )


def decision(n: Notification) -> Message:
    application = _application(n)
    values = {"reference": application.reference, "application": application.title}
    if application.state == "awarded":
        grant = getattr(application, "grant", None)
        amount = _money(grant.amount, grant.currency) if grant else ""
        paragraph = _(
            "We are glad to tell you that your application “%(application)s” was selected for "
            "funding: %(amount)s."
        ) % {**values, "amount": amount}
    elif application.state == "reserve":
        paragraph = (
            _(
                "Your application “%(application)s” was placed on the reserve list: it may be "
                "funded if money becomes available."
            )
            % values
        )
    else:
        paragraph = (
            _("We are sorry: your application “%(application)s” was not selected for funding.")
            % values
        )
    return Message(
        subject=_("Funding decision: %(reference)s") % values,
        paragraphs=[paragraph, _("The evaluation summary is on the application's page.")],
        action=_("See the application"),
        url=f"/applications/{application.pk}/",
    )


def _report(n: Notification):
    from grants.models import Report

    return _get(Report.objects.select_related("grant"), n.params.get("report"))


def changes_requested(n: Notification) -> Message:
    report = _report(n)
    values = {"report": _report_title(report), "grant": report.grant.title}
    return Message(
        subject=_("Changes requested: %(report)s — %(grant)s") % values,
        paragraphs=[
            _(
                "The programme team asks for changes to %(report)s for the grant “%(grant)s”. "
                "Their comments are on the report; submit it again when it is ready."
            )
            % values
        ],
        action=_("Open the report"),
        url=f"/grants/{report.grant_id}/reports/{report.pk}/",
    )


def report_approved(n: Notification) -> Message:
    report = _report(n)
    values = {"report": _report_title(report), "grant": report.grant.title}
    return Message(
        subject=_("Report approved: %(report)s — %(grant)s") % values,
        paragraphs=[_("%(report)s for the grant “%(grant)s” was approved.") % values],
        action=_("Open the report"),
        url=f"/grants/{report.grant_id}/reports/{report.pk}/",
    )


def tranche_paid(n: Notification) -> Message:
    from grants.models import Tranche

    tranche = _get(Tranche.objects.select_related("grant"), n.params.get("tranche"))
    grant = tranche.grant
    values = {"number": tranche.number, "grant": grant.title}
    return Message(
        subject=_("Tranche %(number)d paid: %(grant)s") % values,
        paragraphs=[_("Tranche %(number)d of the grant “%(grant)s” was paid.") % values],
        facts=[
            (_("Amount paid"), _money(tranche.paid_amount, grant.currency)),
            (_("Paid on"), dateformat.format(tranche.paid_on, "j F Y") if tranche.paid_on else "—"),
            (_("Payment reference"), tranche.payment_reference or "—"),
        ],
        action=_("Open the grant"),
        url=f"/grants/{grant.pk}/",
    )


def membership_invited(n: Notification) -> Message:
    from grants.models import Membership, MembershipInvitation

    invitation = _get(
        MembershipInvitation.objects.select_related("organisation", "invited_by"),
        n.params.get("invitation"),
    )
    values = {
        "org": invitation.organisation.legal_name,
        "who": invitation.invited_by.display_name if invitation.invited_by else "",
    }
    admin = invitation.role == Membership.Role.ADMIN
    if values["who"] and admin:
        invited = _("%(who)s invited you to join %(org)s as an administrator.")
    elif values["who"]:
        invited = _("%(who)s invited you to join %(org)s as a member.")
    elif admin:
        invited = _("You are invited to join %(org)s as an administrator.")
    else:
        invited = _("You are invited to join %(org)s as a member.")
    if admin:
        role = _(
            "Administrators draft and submit the organisation's applications, write its "
            "reports, sign its agreements and manage who belongs to it."
        )
    else:
        role = _("Members draft and submit the organisation's applications and write its reports.")
    return Message(
        subject=_("Invitation to join %(org)s") % values,
        paragraphs=[
            invited % values,
            role,
            _(
                "Nothing changes until you answer: you join only if you accept. Accept or "
                "decline the invitation on your dashboard."
            ),
        ],
        action=_("Answer the invitation"),
        url="/dashboard/",
    )


COMPOSERS = {
    K.REPORT_DUE: report_due,
    K.REVIEW_DUE: review_due,
    K.CALL_CLOSING: call_closing,
    K.CLARIFICATION_DUE: clarification_due,
    K.TRANCHE_DUE: tranche_due,
    K.APPLICATION_RECEIVED: application_received,
    K.CLARIFICATION_REQUESTED: clarification_requested,
    K.ELIGIBILITY: eligibility,
    K.REVIEW_ASSIGNED: review_assigned,
    K.DECISION: decision,
    K.CHANGES_REQUESTED: changes_requested,
    K.REPORT_APPROVED: report_approved,
    K.TRANCHE_PAID: tranche_paid,
    K.MEMBERSHIP_INVITED: membership_invited,
}
