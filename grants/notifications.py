"""What grants tells the notification machinery in workflows: the deadlines of reports and
tranches (for the sweep), what each of its notifications says (composed at delivery, in the
recipient's language and time zone), and events for every member of an organisation.
Registered in GrantsConfig.ready()."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import dateformat
from django.utils.translation import gettext as _

from grants.models import Membership, MembershipInvitation, Report, Tranche
from grants.roles import ProgrammeRoleName
from grants.selectors.organisations import members_by_organisation
from grants.selectors.programmes import people_by_programme
from grants.templatetags.money import format_money
from workflows import offsets
from workflows.messages import Message, object_or_gone, reminder_parts, reminder_status, when
from workflows.models import Notification
from workflows.notifications import HORIZON, end_of_day, notify
from workflows.registry import Deadline, register_composer, register_deadlines

K = Notification.Kind


def notify_organisation(kind: str, organisation_id: int, **kwargs) -> int:
    """An event for every member of an organisation (an applicant, a grantee)."""
    members = members_by_organisation([organisation_id]).get(organisation_id, ())
    return notify(kind, recipients=members, **kwargs)


# Deadlines -------------------------------------------------------------------------------


def report_deadlines(now: dt.datetime):
    """Reports not submitted yet: the grantee's members, then the programme's managers."""
    reports = list(
        Report.objects.filter(
            state__in=[Report.State.SCHEDULED, Report.State.OPEN, Report.State.CHANGES_REQUESTED],
            due_date__gte=(now - HORIZON).date(),
            due_date__lte=(now + HORIZON).date(),
            grant__programme__isnull=False,
        ).select_related("grant__programme")
    )
    members = members_by_organisation(r.grant.organisation_id for r in reports)
    managers = people_by_programme(
        (r.grant.programme_id for r in reports), ProgrammeRoleName.MANAGER
    )
    for r in reports:
        programme = r.grant.programme
        yield Deadline(
            key=f"report:{r.pk}",
            kind=K.REPORT_DUE,
            at=end_of_day(r.due_date, programme.timezone),
            zone=programme.timezone,
            title=f"{r.get_kind_display()} {r.number} — {r.grant.title}",
            url=f"/grants/{r.grant_id}/reports/{r.pk}/",
            manager_url=f"/manage/reports/{r.pk}/",
            owners=members.get(r.grant.organisation_id, ()),
            managers=managers.get(r.grant.programme_id, ()),
            offsets=offsets.effective(K.REPORT_DUE, programme=programme),
        )


def tranche_deadlines(now: dt.datetime):
    """Tranches waiting for approval or for payment."""
    window = (now - HORIZON, now + HORIZON)
    tranches = list(
        Tranche.objects.filter(grant__programme__isnull=False)
        .filter(
            Q(state=Tranche.State.DUE, due_at__range=window)
            | Q(state=Tranche.State.APPROVED, approved_at__range=window)
        )
        .select_related("grant__programme")
    )
    programme_ids = [t.grant.programme_id for t in tranches]
    approvers = people_by_programme(programme_ids, ProgrammeRoleName.APPROVER)
    managers = people_by_programme(programme_ids, ProgrammeRoleName.MANAGER)
    for t in tranches:
        programme = t.grant.programme
        # Waiting for approval: the approvers (four eyes: not whoever made it due); waiting for
        # payment: the approvers (finance). A programme without approvers: its managers.
        waiting = "approval" if t.state == Tranche.State.DUE else "payment"
        people = approvers.get(programme.pk) or managers.get(programme.pk, ())
        if waiting == "approval":
            people = tuple(u for u in people if u != t.made_due_by_id)
        yield Deadline(
            key=f"tranche:{t.pk}:{waiting}",
            kind=K.TRANCHE_DUE,
            at=t.due_at if waiting == "approval" else t.approved_at,
            zone=programme.timezone,
            title=f"{t} ({waiting})",
            url=f"/manage/grants/{t.grant_id}/",
            owners=people,
            managers=managers.get(programme.pk, ()),
            offsets=offsets.effective(K.TRANCHE_DUE, programme=programme),
        )


# What the notifications say --------------------------------------------------------------


def _report_title(report) -> str:
    return _("%(kind)s %(number)d") % {"kind": report.get_kind_display(), "number": report.number}


def report_due(n: Notification) -> Message:
    days, audience, pk = reminder_parts(n)
    report = object_or_gone(Report.objects.select_related("grant__organisation"), pk)
    grant = report.grant
    values = {
        "report": _report_title(report),
        "grant": grant.title,
        "org": grant.organisation.legal_name,
        "when": when(n.deadline_at),
    }
    if audience == offsets.MANAGER:
        paragraphs = [
            _("%(org)s has not submitted %(report)s for the grant “%(grant)s”, due %(when)s.")
            % values
        ]
        subject = f"{reminder_status(days)}: {values['org']} — {values['report']}, {grant.title}"
    else:
        paragraphs = [
            _("%(report)s for the grant “%(grant)s” is due %(when)s.") % values,
            _("Submitting the report stops these reminders."),
        ]
        subject = f"{reminder_status(days)}: {values['report']} — {grant.title}"
    return Message(subject=subject, paragraphs=paragraphs, action=_("Open the report"))


def tranche_due(n: Notification) -> Message:
    days, _audience, pk = reminder_parts(n)
    waiting = n.deadline_key.split(":")[2]
    tranche = object_or_gone(Tranche.objects.select_related("grant__organisation"), pk)
    grant = tranche.grant
    values = {
        "number": tranche.number,
        "grant": grant.title,
        "org": grant.organisation.legal_name,
        "amount": format_money(tranche.amount, grant.currency),
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
        subject = f"{subject} ({reminder_status(days).lower()})"
    return Message(subject=subject, paragraphs=[paragraph % values], action=_("Open the grant"))


def _report(n: Notification) -> Report:
    return object_or_gone(Report.objects.select_related("grant"), n.params.get("report"))


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
    tranche = object_or_gone(Tranche.objects.select_related("grant"), n.params.get("tranche"))
    grant = tranche.grant
    values = {"number": tranche.number, "grant": grant.title}
    return Message(
        subject=_("Tranche %(number)d paid: %(grant)s") % values,
        paragraphs=[_("Tranche %(number)d of the grant “%(grant)s” was paid.") % values],
        facts=[
            (_("Amount paid"), format_money(tranche.paid_amount, grant.currency)),
            (_("Paid on"), dateformat.format(tranche.paid_on, "j F Y") if tranche.paid_on else "—"),
            (_("Payment reference"), tranche.payment_reference or "—"),
        ],
        action=_("Open the grant"),
        url=f"/grants/{grant.pk}/",
    )


def membership_invited(n: Notification) -> Message:
    invitation = object_or_gone(
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


def register() -> None:
    """Tell workflows about grants' deadlines and messages (GrantsConfig.ready())."""
    register_deadlines("grants.reports", report_deadlines)
    register_deadlines("grants.tranches", tranche_deadlines)
    for kind, composer in {
        K.REPORT_DUE: report_due,
        K.TRANCHE_DUE: tranche_due,
        K.CHANGES_REQUESTED: changes_requested,
        K.REPORT_APPROVED: report_approved,
        K.TRANCHE_PAID: tranche_paid,
        K.MEMBERSHIP_INVITED: membership_invited,
    }.items():
        register_composer(kind, composer)
