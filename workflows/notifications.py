"""Deadline reminders and event notifications through an outbox.

Events (an application received, a report approved, …) are written by `notify()` in the same
transaction as the change they tell about and handed to the broker on commit.

The sweep (Celery beat, or `manage.py deadline_sweep`):
1. Computes, for every live deadline, the latest reminder offset that has come due (offsets
   are counted in the call's or programme's time zone, so they survive daylight-saving days).
2. Inserts one Notification per (deadline, recipient, kind, offset) — the unique constraint
   makes a rerun, or two sweeps at once, insert nothing new.
3. Cancels pending reminders whose deadline was met or moved (a moved deadline has a new
   deadline_at, so its reminders are new rows).
4. Puts rows stuck in "sending" (a worker died after claiming) back to pending.
5. Enqueues, on commit, every due pending row not handed to the broker yet (or handed over
   long ago and still pending); `notification_send` claims a row with a compare-and-swap, so
   a row enqueued twice is still sent once. If the broker is down, the rows wait in the
   outbox and the next sweep enqueues them again.
6. Enqueues the daily digest of everyone whose digest hour has come (non-urgent news for
   people who asked for one e-mail a day; it is in their inbox already).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from workflows import offsets
from workflows.models import Notification

logger = logging.getLogger(__name__)

STUCK_AFTER = dt.timedelta(minutes=10)
REQUEUE_AFTER = dt.timedelta(minutes=5)  # a queued row still pending this long: enqueue again
HORIZON = dt.timedelta(days=offsets.MAX_DAYS + 1)  # no offset is further from its deadline


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
    offsets: tuple[tuple[int, str], ...] = ()
    manager_url: str = ""
    owner_urls: dict[int, str] = field(default_factory=dict)  # a page of one's own, if any


def offset_moment(deadline_at: dt.datetime, zone: str, days: int) -> dt.datetime:
    """`days` calendar days from the deadline, at the same local time in `zone`: a reminder
    "1 day before" a 12:00 deadline goes at 12:00 the day before, even across a clock change."""
    tz = ZoneInfo(zone)
    local = deadline_at.astimezone(tz).replace(tzinfo=None) + dt.timedelta(days=days)
    return local.replace(tzinfo=tz).astimezone(dt.UTC)


def _end_of_day(day: dt.date, zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


def _roles(programme_ids, role: str) -> dict[int, tuple[int, ...]]:
    from grants.models import ProgrammeRole

    found: dict[int, list[int]] = {}
    for programme_id, user_id in ProgrammeRole.objects.filter(
        programme_id__in=set(programme_ids), role=role, user__is_active=True
    ).values_list("programme_id", "user_id"):
        found.setdefault(programme_id, []).append(user_id)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def _managers(programme_ids) -> dict[int, tuple[int, ...]]:
    return _roles(programme_ids, "manager")


def _members(organisation_ids) -> dict[int, tuple[int, ...]]:
    from grants.models import Membership

    found: dict[int, list[int]] = {}
    for org_id, user_id in Membership.objects.filter(
        organisation_id__in=set(organisation_ids), user__is_active=True
    ).values_list("organisation_id", "user_id"):
        found.setdefault(org_id, []).append(user_id)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def live_deadlines(now: dt.datetime) -> Iterator[Deadline]:
    """Every deadline not yet met whose reminders could be due around `now`, with the offsets
    that apply to it (the call's, else the programme's, else the defaults)."""
    from applications.models import Application, ClarificationRequest, ReviewAssignment
    from grants.models import Call, Report, Tranche

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
        programme = r.grant.programme
        yield Deadline(
            key=f"report:{r.pk}",
            kind=Notification.Kind.REPORT_DUE,
            at=_end_of_day(r.due_date, programme.timezone),
            zone=programme.timezone,
            title=f"{r.get_kind_display()} {r.number} — {r.grant.title}",
            url=f"/grants/{r.grant_id}/reports/{r.pk}/",
            manager_url=f"/manage/reports/{r.pk}/",
            owners=members.get(r.grant.organisation_id, ()),
            managers=managers.get(r.grant.programme_id, ()),
            offsets=offsets.effective(Notification.Kind.REPORT_DUE, programme=programme),
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
        ).select_related("application__call__programme")
    )
    managers = _managers(a.application.call.programme_id for a in assignments)
    for a in assignments:
        call = a.application.call
        yield Deadline(
            key=f"assignment:{a.pk}",
            kind=Notification.Kind.REVIEW_DUE,
            at=a.due_at,
            zone=call.timezone,
            title=f"{a.application.reference or a.application.title} — {call.title}",
            url=f"/review/assignments/{a.pk}/",
            manager_url=f"/manage/review/calls/{call.pk}/",
            owners=(a.reviewer_id,),
            managers=managers.get(call.programme_id, ()),
            offsets=offsets.effective(
                Notification.Kind.REVIEW_DUE, programme=call.programme, call=call
            ),
        )

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
    members = _members(org for orgs in drafts.values() for org in orgs)
    for call in calls:
        mine: dict[int, list[int]] = {}  # person → the drafts of their organisations
        for org, applications in drafts.get(call.pk, {}).items():
            for user_id in members.get(org, ()):
                mine.setdefault(user_id, []).extend(applications)
        if mine:
            yield Deadline(
                key=f"call:{call.pk}",
                kind=Notification.Kind.CALL_CLOSING,
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
                offsets=offsets.effective(
                    Notification.Kind.CALL_CLOSING, programme=call.programme, call=call
                ),
            )

    clarifications = list(
        ClarificationRequest.objects.filter(
            answered_at__isnull=True,
            application__state=Application.State.CLARIFICATION_REQUESTED,
            response_due_at__gte=now - HORIZON,
            response_due_at__lte=now + HORIZON,
        ).select_related("application__call__programme")
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
            title=f"{c.application.reference} — {c.application.title}",
            url=f"/applications/{c.application_id}/",
            manager_url=f"/manage/applications/{c.application_id}/",
            owners=members.get(c.application.organisation_id, ()),
            managers=managers.get(call.programme_id, ()),
            offsets=offsets.effective(
                Notification.Kind.CLARIFICATION_DUE, programme=call.programme, call=call
            ),
        )

    window = {"gte": now - HORIZON, "lte": now + HORIZON}
    tranches = list(
        Tranche.objects.filter(grant__programme__isnull=False)
        .filter(
            Q(state=Tranche.State.DUE, due_at__range=(window["gte"], window["lte"]))
            | Q(state=Tranche.State.APPROVED, approved_at__range=(window["gte"], window["lte"]))
        )
        .select_related("grant__programme")
    )
    programme_ids = [t.grant.programme_id for t in tranches]
    approvers, managers = _roles(programme_ids, "approver"), _managers(programme_ids)
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
            kind=Notification.Kind.TRANCHE_DUE,
            at=t.due_at if waiting == "approval" else t.approved_at,
            zone=programme.timezone,
            title=f"{t} ({waiting})",
            url=f"/manage/grants/{t.grant_id}/",
            owners=people,
            managers=managers.get(programme.pk, ()),
            offsets=offsets.effective(Notification.Kind.TRANCHE_DUE, programme=programme),
        )


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
            from workflows.tasks import notification_digest, notification_send

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
        from workflows.tasks import notification_send

        transaction.on_commit(lambda: _enqueue(notification_send, ids))
    return len(ids)


def notify_organisation(kind: str, organisation_id: int, **kwargs) -> int:
    """An event for every member of an organisation (an applicant, a grantee)."""
    members = _members([organisation_id]).get(organisation_id, ())
    return notify(kind, recipients=members, **kwargs)


# Delivery ----------------------------------------------------------------------------------


class DeliveryFailed(Exception):
    """Sending failed after this worker claimed the row(s): they are its to put back."""

    def __init__(self, cause: Exception, claim=None):
        super().__init__(repr(cause))
        self.cause = cause
        self.claim = claim


def notification_deliver(notification_id: int) -> str:
    """Claim (compare-and-swap pending → sending), deliver, mark. Returns what happened:
    "emailed" (sent now), "digest" (in the inbox; the e-mail waits for the daily digest),
    "inbox" (the recipient reads news in the inbox only) or "skipped" (someone else has it)."""
    from accounts.models import User

    claimed = Notification.objects.filter(
        pk=notification_id, state=Notification.State.PENDING
    ).update(
        state=Notification.State.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return "skipped"
    try:
        notification = Notification.objects.select_related("recipient").get(pk=notification_id)
        user = notification.recipient
        from workflows.messages import render

        message = render(notification)
        route = "emailed"
        if not user.is_active:
            route = "inbox"
        elif not notification.urgent and user.notification_email == User.Email.DIGEST:
            route = "digest"
        elif not notification.urgent and user.notification_email == User.Email.NONE:
            route = "inbox"
        if route == "emailed":
            message.send(to=user.email)
    except Exception as exc:
        raise DeliveryFailed(exc) from exc
    now = timezone.now()
    Notification.objects.filter(pk=notification_id, state=Notification.State.SENDING).update(
        state=Notification.State.DIGEST if route == "digest" else Notification.State.SENT,
        subject=message.subject[:255],
        sent_at=now,
        emailed_at=now if route == "emailed" else None,
        error="",
    )
    return route


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


def digest_deliver(user_id: int, until: dt.datetime) -> int:
    """One e-mail with everything that waited for this person's digest until `until`.
    The rows are claimed with a batch token (compare-and-swap), so two runs send it once."""
    import uuid

    from accounts.models import User

    token = uuid.uuid4()
    claimed = Notification.objects.filter(
        recipient_id=user_id, state=Notification.State.DIGEST, sent_at__lte=until
    ).update(state=Notification.State.SENDING, claim=token, claimed_at=timezone.now())
    if not claimed:
        return 0
    try:
        user = User.objects.get(pk=user_id)
        items = list(Notification.objects.filter(claim=token).order_by("due_at", "pk"))
        from workflows.messages import render_digest

        render_digest(user, items).send(to=user.email)
    except Exception as exc:
        raise DeliveryFailed(exc, claim=token) from exc
    Notification.objects.filter(claim=token, state=Notification.State.SENDING).update(
        state=Notification.State.SENT, emailed_at=timezone.now(), claim=None
    )
    return len(items)
