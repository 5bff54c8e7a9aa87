"""What applications tells the notification machinery in workflows: the deadlines of reviews,
of calls closing on a draft and of clarification requests (for the sweep), and what each of its
notifications says (composed at delivery, in the recipient's language and time zone).
Registered in ApplicationsConfig.ready()."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from applications.models import Application, ClarificationRequest, ReviewAssignment
from grants.models import Call
from grants.selectors.organisations import members_by_organisation
from grants.selectors.programmes import people_by_programme
from grants.templatetags.money import format_money
from workflows import offsets
from workflows.messages import (
    Message,
    ObjectGone,
    object_or_gone,
    reminder_parts,
    reminder_status,
    when,
)
from workflows.models import Notification
from workflows.notifications import HORIZON
from workflows.registry import Deadline, register_composer, register_deadlines

K = Notification.Kind

# Deadlines -------------------------------------------------------------------------------


def review_deadlines(now: dt.datetime):
    """Reviews not submitted yet: the reviewer, then the programme's managers."""
    assignments = list(
        ReviewAssignment.objects.filter(
            state__in=[
                ReviewAssignment.State.INVITED,
                ReviewAssignment.State.ACCEPTED,
                ReviewAssignment.State.REOPENED,
            ],
            due_at__gte=now - HORIZON,
            due_at__lte=now + HORIZON,
        ).select_related("application__call__programme")
    )
    managers = people_by_programme(
        (a.application.call.programme_id for a in assignments), "manager"
    )
    for a in assignments:
        call = a.application.call
        yield Deadline(
            key=f"assignment:{a.pk}",
            kind=K.REVIEW_DUE,
            at=a.due_at,
            zone=call.timezone,
            title=f"{a.application.reference or a.application.title} — {call.title}",
            url=f"/review/assignments/{a.pk}/",
            manager_url=f"/manage/review/calls/{call.pk}/",
            owners=(a.reviewer_id,),
            managers=managers.get(call.programme_id, ()),
            offsets=offsets.effective(K.REVIEW_DUE, programme=call.programme, call=call),
        )


def call_closing_deadlines(now: dt.datetime):
    """Open calls closing soon, for the members of organisations with a draft on them."""
    calls = list(
        Call.objects.filter(
            state=Call.State.OPEN, closes_at__gte=now, closes_at__lte=now + HORIZON
        ).select_related("programme")
    )
    drafts: dict[int, dict[int, list[int]]] = {}  # call → organisation → its drafts
    for call_id, org_id, application_id in Application.objects.filter(
        call__in=calls, state=Application.State.DRAFT
    ).values_list("call_id", "organisation_id", "pk"):
        drafts.setdefault(call_id, {}).setdefault(org_id, []).append(application_id)
    members = members_by_organisation(org for orgs in drafts.values() for org in orgs)
    for call in calls:
        mine: dict[int, list[int]] = {}  # person → the drafts of their organisations
        for org, applications in drafts.get(call.pk, {}).items():
            for user_id in members.get(org, ()):
                mine.setdefault(user_id, []).extend(applications)
        if mine:
            yield Deadline(
                key=f"call:{call.pk}",
                kind=K.CALL_CLOSING,
                at=call.closes_at,
                zone=call.timezone,
                title=call.title,
                url="/dashboard/",
                # One draft: straight to it; several: the dashboard lists them.
                owner_urls={
                    user_id: f"/applications/{ids[0]}/edit/"
                    for user_id, ids in mine.items()
                    if len(ids) == 1
                },
                owners=tuple(sorted(mine)),
                managers=(),
                offsets=offsets.effective(K.CALL_CLOSING, programme=call.programme, call=call),
            )


def clarification_deadlines(now: dt.datetime):
    """Clarification requests not answered yet: the applicant, then the managers."""
    clarifications = list(
        ClarificationRequest.objects.filter(
            answered_at__isnull=True,
            application__state=Application.State.CLARIFICATION_REQUESTED,
            response_due_at__gte=now - HORIZON,
            response_due_at__lte=now + HORIZON,
        ).select_related("application__call__programme")
    )
    members = members_by_organisation(c.application.organisation_id for c in clarifications)
    managers = people_by_programme(
        (c.application.call.programme_id for c in clarifications), "manager"
    )
    for c in clarifications:
        call = c.application.call
        yield Deadline(
            key=f"clarification:{c.pk}",
            kind=K.CLARIFICATION_DUE,
            at=c.response_due_at,
            zone=call.timezone,
            title=f"{c.application.reference} — {c.application.title}",
            url=f"/applications/{c.application_id}/",
            manager_url=f"/manage/applications/{c.application_id}/",
            owners=members.get(c.application.organisation_id, ()),
            managers=managers.get(call.programme_id, ()),
            offsets=offsets.effective(K.CLARIFICATION_DUE, programme=call.programme, call=call),
        )


# What the notifications say --------------------------------------------------------------


def review_due(n: Notification) -> Message:
    days, audience, pk = reminder_parts(n)
    assignment = object_or_gone(
        ReviewAssignment.objects.select_related("application__call", "reviewer"), pk
    )
    application = assignment.application
    values = {
        "application": application.reference or application.title,
        "call": application.call.title,
        "reviewer": assignment.reviewer.display_name,
        "when": when(n.deadline_at),
    }
    if audience == offsets.MANAGER:
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
        subject=f"{reminder_status(days)}: {what}",
        paragraphs=paragraphs,
        action=action,
    )


def call_closing(n: Notification) -> Message:
    days, _audience, pk = reminder_parts(n)
    call = object_or_gone(Call.objects, pk)
    values = {"call": call.title, "when": when(call.closes_at)}
    return Message(
        subject=f"{reminder_status(days)}: {call.title}",
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
    days, audience, pk = reminder_parts(n)
    clarification = object_or_gone(
        ClarificationRequest.objects.select_related("application__organisation"), pk
    )
    application = clarification.application
    values = {
        "application": application.title,
        "reference": application.reference,
        "org": application.organisation.legal_name,
        "when": when(clarification.response_due_at),
    }
    if audience == offsets.MANAGER:
        what = _("clarification from %(org)s") % values
        return Message(
            subject=f"{reminder_status(days)}: {what}",
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
        subject=f"{reminder_status(days)}: {what}",
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


def _application(n: Notification):
    return object_or_gone(
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
    application = _application(n)
    clarification = object_or_gone(ClarificationRequest.objects, n.params.get("clarification"))
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
    if application.is_awarded:
        grant = getattr(application, "grant", None)
        amount = format_money(grant.amount, grant.currency) if grant else ""
        paragraph = _(
            "We are glad to tell you that your application “%(application)s” was selected for "
            "funding: %(amount)s."
        ) % {**values, "amount": amount}
    elif application.is_on_reserve:
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


def register() -> None:
    """Tell workflows about applications' deadlines and messages (ApplicationsConfig.ready())."""
    register_deadlines("applications.reviews", review_deadlines)
    register_deadlines("applications.calls_closing", call_closing_deadlines)
    register_deadlines("applications.clarifications", clarification_deadlines)
    for kind, composer in {
        K.REVIEW_DUE: review_due,
        K.CALL_CLOSING: call_closing,
        K.CLARIFICATION_DUE: clarification_due,
        K.APPLICATION_RECEIVED: application_received,
        K.CLARIFICATION_REQUESTED: clarification_requested,
        K.ELIGIBILITY: eligibility,
        K.REVIEW_ASSIGNED: review_assigned,
        K.DECISION: decision,
    }.items():
        register_composer(kind, composer)
