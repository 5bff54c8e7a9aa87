"""Deadline reminders and event notifications through an outbox.

Events (an application received, a report approved, …) are written by `notify()` in the same
transaction as the change they tell about and handed to the broker on commit.

The sweep (Celery beat, or `manage.py deadline_sweep`):
1. Computes, for every live deadline (what the apps' registered providers yield), the latest reminder offset that has come due (offsets
   are counted in the call's or programme's time zone, so they survive daylight-saving days).
2. Inserts one Notification per (deadline, recipient, kind, offset) — the unique constraint
   makes a rerun, or two sweeps at once, insert nothing new.
3. Cancels pending reminders whose deadline was met or moved (a moved deadline has a new
   deadline_at, so its reminders are new rows).
4. Puts rows stuck in "sending" (a worker died after claiming) back to pending.
5. Enqueues, on commit, every due pending row not handed to the broker yet (or handed over
   long ago and still pending); `notification_send` (workflows.delivery) claims a row with a
   compare-and-swap, so a row enqueued twice is still sent once. If the broker is down, the rows wait in the
   outbox and the next sweep enqueues them again.
6. Enqueues the daily digest of everyone whose digest hour has come (non-urgent news for
   people who asked for one e-mail a day; it is in their inbox already).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from workflows import offsets
from workflows.delivery import notification_digest, notification_send
from workflows.models import Notification
from workflows.registry import Deadline, deadline_providers

logger = logging.getLogger(__name__)

STUCK_AFTER = dt.timedelta(minutes=10)
REQUEUE_AFTER = dt.timedelta(minutes=5)  # a queued row still pending this long: enqueue again
HORIZON = dt.timedelta(days=offsets.MAX_DAYS + 1)  # no offset is further from its deadline


def offset_moment(deadline_at: dt.datetime, zone: str, days: int) -> dt.datetime:
    """`days` calendar days from the deadline, at the same local time in `zone`: a reminder
    "1 day before" a 12:00 deadline goes at 12:00 the day before, even across a clock change."""
    tz = ZoneInfo(zone)
    local = deadline_at.astimezone(tz).replace(tzinfo=None) + dt.timedelta(days=days)
    return local.replace(tzinfo=tz).astimezone(dt.UTC)


def end_of_day(day: dt.date, zone: str) -> dt.datetime:
    """A date deadline (a report due on the 5th) ends at 23:59:59 that day in `zone`."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


def live_deadlines(now: dt.datetime) -> Iterator[Deadline]:
    """Every deadline not yet met whose reminders could be due around `now`, with the offsets
    that apply to it (the call's, else the programme's, else the defaults): what the apps'
    registered providers yield (grants.notifications, applications.notifications)."""
    for provider in deadline_providers():
        yield from provider(now)


@dataclass
class SweepResult:
    inserted: int
    cancelled: int
    requeued: int
    enqueued: int
    digests: int = 0


def offset_label(days: int) -> str:
    return f"{days:+d}d"


def notifications_sweep(*, now: dt.datetime | None = None, enqueue: bool = True) -> SweepResult:
    now = now or timezone.now()
    rows = []
    live: dict[str, dt.datetime] = {}
    # What is in the outbox already is not built again (the unique constraint still decides
    # between two sweeps at once): a rerun over 100,000 reminders then costs a read, not an
    # insert that the database throws away.
    existing = set(
        Notification.objects.exclude(offset=Notification.EVENT)
        .filter(deadline_at__gte=now - HORIZON - dt.timedelta(days=1))
        .values_list("deadline_key", "deadline_at", "recipient_id", "offset")
        .iterator(chunk_size=5000)
    )
    for deadline in live_deadlines(now):
        live[deadline.key] = deadline.at
        latest: dict[str, int] = {}  # per audience, only the latest offset that came due
        for days, audience in deadline.offsets:
            if offset_moment(deadline.at, deadline.zone, days) <= now:
                latest[audience] = max(days, latest.get(audience, days))
        for audience, days in latest.items():
            people = deadline.owners if audience == offsets.OWNER else deadline.managers
            url = deadline.url if audience == offsets.OWNER else deadline.manager_url
            label = offset_label(days)
            for user_id in people:
                if (deadline.key, deadline.at, user_id, label) in existing:
                    continue
                rows.append(
                    Notification(
                        recipient_id=user_id,
                        kind=deadline.kind,
                        deadline_key=deadline.key,
                        deadline_at=deadline.at,
                        offset=label,
                        due_at=offset_moment(deadline.at, deadline.zone, days),
                        subject=_subject(deadline.title, days)[:255],
                        body=f"{deadline.title}\nDeadline: {deadline.at:%Y-%m-%d %H:%M} UTC",
                        url=(
                            deadline.owner_urls.get(user_id, url)
                            if audience == offsets.OWNER
                            else url
                        )
                        or deadline.url,
                        params={"audience": audience, "zone": deadline.zone},
                    )
                )
    with transaction.atomic():
        inserted = 0
        if rows:
            before = Notification.objects.count()
            Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
            inserted = Notification.objects.count() - before
        # Met or moved deadlines: their pending reminders go nowhere. The sweep sees every live
        # deadline within HORIZON of now: one it does not see there (met), or sees at another
        # time (moved), has no use for a reminder still waiting.
        stale = [
            pk
            for pk, key, at in Notification.objects.filter(
                state=Notification.State.PENDING,
                deadline_at__range=(now - HORIZON, now + HORIZON),
            )
            .exclude(offset=Notification.EVENT)
            .values_list("pk", "deadline_key", "deadline_at")
            .iterator(chunk_size=5000)
            if live.get(key) != at
        ]
        cancelled = 0
        for chunk in _chunks(stale):
            cancelled += Notification.objects.filter(
                pk__in=chunk, state=Notification.State.PENDING
            ).update(state=Notification.State.CANCELLED)
        # A worker died after claiming: a row goes back to pending, a digest row to the digest.
        stuck = Notification.objects.filter(
            state=Notification.State.SENDING, claimed_at__lt=now - STUCK_AFTER
        )
        requeued = stuck.filter(claim__isnull=True).update(
            state=Notification.State.PENDING, queued_at=None
        ) + stuck.filter(claim__isnull=False).update(state=Notification.State.DIGEST, claim=None)
        pending = list(
            Notification.objects.filter(state=Notification.State.PENDING, due_at__lte=now)
            .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - REQUEUE_AFTER))
            .values_list("pk", flat=True)
        )
        digests = digests_due(now)
        if enqueue and (pending or digests):

            def hand_over():
                _enqueue(notification_send, pending)
                for user_id, until in digests:
                    _safe_delay(notification_digest, user_id, until.isoformat())

            transaction.on_commit(hand_over)
    return SweepResult(
        inserted,
        cancelled,
        requeued,
        len(pending) if enqueue else 0,
        len(digests) if enqueue else 0,
    )


def _chunks(items: list, size: int = 5000):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _subject(title: str, days: int) -> str:
    """The operator's view of a reminder (the recipient gets theirs in their own language)."""
    if days < 0:
        return f"Due in {-days} day{'s' if days != -1 else ''}: {title}"
    if days == 0:
        return f"Due now: {title}"
    return f"Overdue by {days} day{'s' if days != 1 else ''}: {title}"


def _safe_delay(task, *args) -> bool:
    from kombu.exceptions import OperationalError

    try:
        task.delay(*args)
    except (OperationalError, ConnectionError):
        logger.warning("Broker unreachable: %s%r waits for the next sweep", task.name, args)
        return False
    return True


def _enqueue(task, ids: list[int]) -> None:
    """Hand rows to the broker; those handed over are marked queued. If the broker is down,
    the rest stay unqueued in the outbox and the next sweep tries again."""
    queued = []
    for pk in ids:
        if not _safe_delay(task, pk):
            break
        queued.append(pk)
    for chunk in _chunks(queued):
        Notification.objects.filter(pk__in=chunk, state=Notification.State.PENDING).update(
            queued_at=timezone.now()
        )


# Events ----------------------------------------------------------------------------------


def notify(kind: str, *, recipients, key: str, url: str, subject: str, params=None) -> int:
    """Record an event notification for each recipient, in the caller's transaction (so it
    exists exactly when the change it tells about does), and hand it to the broker on commit.
    If the broker is down, the rows wait in the outbox for the next sweep."""
    now = timezone.now()
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=user_id,
                kind=kind,
                deadline_key=key[:60],
                deadline_at=now,
                offset=Notification.EVENT,
                due_at=now,
                subject=subject[:255],
                body=subject,
                url=url,
                params=params or {},
            )
            for user_id in sorted(set(recipients))
        ]
    )
    ids = [row.pk for row in rows]
    if ids:
        transaction.on_commit(lambda: _enqueue(notification_send, ids))
    return len(ids)


# The daily digest ------------------------------------------------------------------------


def last_digest_moment(now: dt.datetime, zone: str, hour: int) -> dt.datetime:
    """The most recent digest time at or before `now`: today at `hour` in the person's zone,
    or yesterday's if that has not come yet."""
    tz = ZoneInfo(zone) if zone else ZoneInfo(settings.TIME_ZONE)
    local_now = now.astimezone(tz)
    moment = dt.datetime.combine(local_now.date(), dt.time(hour), tzinfo=tz)
    if moment > local_now:
        moment = dt.datetime.combine(
            local_now.date() - dt.timedelta(days=1), dt.time(hour), tzinfo=tz
        )
    return moment.astimezone(dt.UTC)


def digests_due(now: dt.datetime) -> list[tuple[int, dt.datetime]]:
    """(user, until) for everyone with news waiting from before their latest digest time."""
    earliest: dict[int, tuple[dt.datetime, str, int]] = {}
    for user_id, sent_at, zone, hour in Notification.objects.filter(
        state=Notification.State.DIGEST
    ).values_list("recipient_id", "sent_at", "recipient__timezone", "recipient__digest_hour"):
        if user_id not in earliest or sent_at < earliest[user_id][0]:
            earliest[user_id] = (sent_at, zone, hour)
    due = []
    for user_id, (first, zone, hour) in earliest.items():
        try:
            until = last_digest_moment(now, zone, hour)
        except (KeyError, ValueError):  # a time zone the system does not know
            until = last_digest_moment(now, settings.TIME_ZONE, hour)
        if first <= until:
            due.append((user_id, until))
    return due
