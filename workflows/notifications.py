"""Deadline reminders through an outbox.

The sweep (Celery beat, or `manage.py deadline_sweep`):
1. Computes, for every live deadline, the latest reminder offset that has come due (offsets
   are counted in the call's or programme's time zone, so they survive daylight-saving days).
2. Inserts one Notification per (deadline, recipient, kind, offset) — the unique constraint
   makes a rerun, or two sweeps at once, insert nothing new.
3. Cancels pending reminders whose deadline was met or moved (a moved deadline has a new
   deadline_at, so its reminders are new rows).
4. Puts rows stuck in "sending" (a worker died after claiming) back to pending.
5. Enqueues every pending row on commit; `notification_send` claims a row with a
   compare-and-swap, so a row enqueued twice is still sent once. If the broker is down, the
   rows wait in the outbox and the next sweep enqueues them again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from .models import Notification

logger = logging.getLogger(__name__)

STUCK_AFTER = dt.timedelta(minutes=10)

# (offset label, days from the deadline, who): the defaults of the deadline-notifications issue.
OFFSETS = {
    Notification.Kind.CALL_CLOSING: [
        ("-7d", -7, "owner"),
        ("-2d", -2, "owner"),
        ("-1d", -1, "owner"),
    ],
    Notification.Kind.CLARIFICATION_DUE: [
        ("-3d", -3, "owner"),
        ("-1d", -1, "owner"),
        ("+0d", 0, "manager"),
    ],
    Notification.Kind.REVIEW_DUE: [
        ("-3d", -3, "owner"),
        ("-1d", -1, "owner"),
        ("+1d", 1, "owner"),
        ("+3d", 3, "manager"),
    ],
    Notification.Kind.REPORT_DUE: [
        ("-14d", -14, "owner"),
        ("-7d", -7, "owner"),
        ("-1d", -1, "owner"),
        ("+1d", 1, "owner"),
        ("+7d", 7, "manager"),
    ],
}
HORIZON = dt.timedelta(days=15)  # no offset is further than this from its deadline


@dataclass(frozen=True)
class Deadline:
    key: str
    kind: str
    at: dt.datetime
    zone: str
    title: str
    url: str
    owners: tuple[int, ...]
    managers: tuple[int, ...]


def offset_moment(deadline_at: dt.datetime, zone: str, days: int) -> dt.datetime:
    """`days` calendar days from the deadline, at the same local time in `zone`: a reminder
    "1 day before" a 12:00 deadline goes at 12:00 the day before, even across a clock change."""
    tz = ZoneInfo(zone)
    local = deadline_at.astimezone(tz).replace(tzinfo=None) + dt.timedelta(days=days)
    return local.replace(tzinfo=tz).astimezone(dt.UTC)


def _end_of_day(day: dt.date, zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


def _managers(programme_ids) -> dict[int, tuple[int, ...]]:
    from grants.models import ProgrammeRole

    found: dict[int, list[int]] = {}
    for programme_id, user_id in ProgrammeRole.objects.filter(
        programme_id__in=set(programme_ids), role=ProgrammeRole.Role.MANAGER
    ).values_list("programme_id", "user_id"):
        found.setdefault(programme_id, []).append(user_id)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def _members(organisation_ids) -> dict[int, tuple[int, ...]]:
    from grants.models import Membership

    found: dict[int, list[int]] = {}
    for org_id, user_id in Membership.objects.filter(
        organisation_id__in=set(organisation_ids)
    ).values_list("organisation_id", "user_id"):
        found.setdefault(org_id, []).append(user_id)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def live_deadlines(now: dt.datetime) -> Iterator[Deadline]:
    """Every deadline not yet met whose reminders could be due around `now`."""
    from applications.models import Application, ClarificationRequest, ReviewAssignment
    from grants.models import Call, Report

    reports = list(
        Report.objects.filter(
            state__in=[Report.State.SCHEDULED, Report.State.OPEN, Report.State.CHANGES_REQUESTED],
            due_date__gte=(now - HORIZON).date(),
            due_date__lte=(now + HORIZON).date(),
            grant__programme__isnull=False,
        ).select_related("grant__programme")
    )
    members = _members(r.grant.organisation_id for r in reports)
    managers = _managers(r.grant.programme_id for r in reports)
    for r in reports:
        zone = r.grant.programme.timezone
        yield Deadline(
            key=f"report:{r.pk}",
            kind=Notification.Kind.REPORT_DUE,
            at=_end_of_day(r.due_date, zone),
            zone=zone,
            title=f"{r.get_kind_display()} {r.number} — {r.grant.title}",
            url=f"/grants/{r.grant_id}/reports/{r.pk}/",
            owners=members.get(r.grant.organisation_id, ()),
            managers=managers.get(r.grant.programme_id, ()),
        )

    assignments = list(
        ReviewAssignment.objects.filter(
            state__in=[
                ReviewAssignment.State.INVITED,
                ReviewAssignment.State.ACCEPTED,
                ReviewAssignment.State.REOPENED,
            ],
            due_at__gte=now - HORIZON,
            due_at__lte=now + HORIZON,
        ).select_related("application__call")
    )
    managers = _managers(a.application.call.programme_id for a in assignments)
    for a in assignments:
        call = a.application.call
        yield Deadline(
            key=f"assignment:{a.pk}",
            kind=Notification.Kind.REVIEW_DUE,
            at=a.due_at,
            zone=call.timezone,
            title=f"Review — {call.title}",
            url=f"/review/assignments/{a.pk}/",
            owners=(a.reviewer_id,),
            managers=managers.get(call.programme_id, ()),
        )

    calls = list(
        Call.objects.filter(state=Call.State.OPEN, closes_at__gte=now, closes_at__lte=now + HORIZON)
    )
    drafts: dict[int, set[int]] = {}
    for call_id, org_id in Application.objects.filter(
        call__in=calls, state=Application.State.DRAFT
    ).values_list("call_id", "organisation_id"):
        drafts.setdefault(call_id, set()).add(org_id)
    members = _members(org for orgs in drafts.values() for org in orgs)
    for call in calls:
        owners = tuple(sorted({u for org in drafts.get(call.pk, ()) for u in members.get(org, ())}))
        if owners:
            yield Deadline(
                key=f"call:{call.pk}",
                kind=Notification.Kind.CALL_CLOSING,
                at=call.closes_at,
                zone=call.timezone,
                title=call.title,
                url=f"/calls/{call.pk}/",
                owners=owners,
                managers=(),
            )

    clarifications = list(
        ClarificationRequest.objects.filter(
            answered_at__isnull=True,
            application__state=Application.State.CLARIFICATION_REQUESTED,
            response_due_at__gte=now - HORIZON,
            response_due_at__lte=now + HORIZON,
        ).select_related("application__call")
    )
    members = _members(c.application.organisation_id for c in clarifications)
    managers = _managers(c.application.call.programme_id for c in clarifications)
    for c in clarifications:
        call = c.application.call
        yield Deadline(
            key=f"clarification:{c.pk}",
            kind=Notification.Kind.CLARIFICATION_DUE,
            at=c.response_due_at,
            zone=call.timezone,
            title=f"Clarification — {c.application.title}",
            url=f"/applications/{c.application_id}/",
            owners=members.get(c.application.organisation_id, ()),
            managers=managers.get(call.programme_id, ()),
        )


def _subject(deadline: Deadline, label: str) -> str:
    days = int(label[:-1])
    if days < 0:
        return f"[Regrant] Due in {-days} day{'s' if days != -1 else ''}: {deadline.title}"
    if days == 0:
        return f"[Regrant] Due now: {deadline.title}"
    return f"[Regrant] Overdue by {days} day{'s' if days != 1 else ''}: {deadline.title}"


@dataclass
class SweepResult:
    inserted: int
    cancelled: int
    requeued: int
    enqueued: int


def notifications_sweep(*, now: dt.datetime | None = None, enqueue: bool = True) -> SweepResult:
    now = now or timezone.now()
    rows = []
    live: dict[str, dt.datetime] = {}
    for deadline in live_deadlines(now):
        live[deadline.key] = deadline.at
        passed = [
            o
            for o in OFFSETS[deadline.kind]
            if offset_moment(deadline.at, deadline.zone, o[1]) <= now
        ]
        if not passed:
            continue
        label, days, audience = passed[-1]  # only the latest offset that came due
        for user_id in deadline.owners if audience == "owner" else deadline.managers:
            rows.append(
                Notification(
                    recipient_id=user_id,
                    kind=deadline.kind,
                    deadline_key=deadline.key,
                    deadline_at=deadline.at,
                    offset=label,
                    due_at=offset_moment(deadline.at, deadline.zone, days),
                    subject=_subject(deadline, label)[:255],
                    body=f"{deadline.title}\nDeadline: {deadline.at:%Y-%m-%d %H:%M} UTC",
                    url=deadline.url,
                )
            )
    with transaction.atomic():
        before = Notification.objects.count()
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        inserted = Notification.objects.count() - before
        # Met or moved deadlines: their pending reminders go nowhere.
        cancelled = 0
        for pk, key, at in Notification.objects.filter(
            state=Notification.State.PENDING
        ).values_list("pk", "deadline_key", "deadline_at"):
            # The sweep sees every live deadline within HORIZON of now: one it does not see
            # there (met), or sees at another time (moved), has no use for this reminder.
            if abs(at - now) <= HORIZON and live.get(key) != at:
                cancelled += Notification.objects.filter(
                    pk=pk, state=Notification.State.PENDING
                ).update(state=Notification.State.CANCELLED)
        requeued = Notification.objects.filter(
            state=Notification.State.SENDING, claimed_at__lt=now - STUCK_AFTER
        ).update(state=Notification.State.PENDING)
        pending = list(
            Notification.objects.filter(
                state=Notification.State.PENDING, due_at__lte=now
            ).values_list("pk", flat=True)
        )
        if enqueue and pending:
            from .tasks import notification_send

            transaction.on_commit(lambda: _enqueue(notification_send, pending))
    return SweepResult(inserted, cancelled, requeued, len(pending) if enqueue else 0)


def _enqueue(task, ids: list[int]) -> None:
    from kombu.exceptions import OperationalError

    for pk in ids:
        try:
            task.delay(pk)
        except (OperationalError, ConnectionError):
            logger.warning("Broker unreachable: %d notifications wait in the outbox", len(ids))
            return


def notification_deliver(notification_id: int) -> str:
    """Claim (compare-and-swap pending → sending), send, mark sent. Returns what happened."""
    from django.core.mail import send_mail

    claimed = Notification.objects.filter(
        pk=notification_id, state=Notification.State.PENDING
    ).update(
        state=Notification.State.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return "skipped"
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    user = notification.recipient
    with translation.override(user.language or settings.LANGUAGE_CODE):
        send_mail(
            subject=notification.subject,
            message=f"{notification.body}\n\n{settings.SITE_URL}{notification.url}\n",
            from_email=None,
            recipient_list=[user.email],
        )
    Notification.objects.filter(pk=notification_id, state=Notification.State.SENDING).update(
        state=Notification.State.SENT, sent_at=timezone.now(), error=""
    )
    return "sent"
