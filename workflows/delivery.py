"""Delivering the outbox: one notification, or one person's daily digest, claimed with a
compare-and-swap (so a duplicate task sends nothing), composed when it is sent, and put back
for a retry when sending fails after the claim. The Celery tasks that do it are here too."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

from workflows.messages import render, render_digest
from workflows.models import Notification


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
    User = get_user_model()
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


def digest_deliver(user_id: int, until: dt.datetime) -> int:
    """One e-mail with everything that waited for this person's digest until `until`.
    The rows are claimed with a batch token (compare-and-swap), so two runs send it once."""
    import uuid

    token = uuid.uuid4()
    claimed = Notification.objects.filter(
        recipient_id=user_id, state=Notification.State.DIGEST, sent_at__lte=until
    ).update(state=Notification.State.SENDING, claim=token, claimed_at=timezone.now())
    if not claimed:
        return 0
    try:
        user = get_user_model().objects.get(pk=user_id)
        items = list(Notification.objects.filter(claim=token).order_by("due_at", "pk"))
        render_digest(user, items).send(to=user.email)
    except Exception as exc:
        raise DeliveryFailed(exc, claim=token) from exc
    Notification.objects.filter(claim=token, state=Notification.State.SENDING).update(
        state=Notification.State.SENT, emailed_at=timezone.now(), claim=None
    )
    return len(items)


# Named as they were when they lived in workflows.tasks: messages already queued under those
# names still run.
@shared_task(bind=True, max_retries=5, name="workflows.tasks.notification_send")
def notification_send(self, notification_id: int) -> str:
    """Send one outbox row. The claim makes a duplicate delivery of this task harmless. A
    failure after the claim puts the row back to pending (failed, after the last retry) and
    retries with backoff; a failure before it (the database away) only retries — the row is
    still pending, and the sweep hands it over again if every retry fails."""
    try:
        return notification_deliver(notification_id)
    except DeliveryFailed as failure:
        last = self.request.retries >= self.max_retries
        Notification.objects.filter(pk=notification_id, state=Notification.State.SENDING).update(
            state=Notification.State.FAILED if last else Notification.State.PENDING,
            error=repr(failure.cause)[:2000],
        )
        if last:
            raise failure.cause from failure
        raise self.retry(exc=failure.cause, countdown=_backoff(self)) from failure
    except Exception as exc:
        raise self.retry(exc=exc, countdown=_backoff(self)) from exc


@shared_task(bind=True, max_retries=5, name="workflows.tasks.notification_digest")
def notification_digest(self, user_id: int, until: str) -> int:
    """Send one person's daily digest. The rows are claimed as a batch, so a duplicate of this
    task sends nothing; a failure puts this batch back for the digest and retries with backoff
    (the next sweep would enqueue it again anyway)."""
    try:
        return digest_deliver(user_id, dt.datetime.fromisoformat(until))
    except DeliveryFailed as failure:
        Notification.objects.filter(claim=failure.claim, state=Notification.State.SENDING).update(
            state=Notification.State.DIGEST, claim=None, error=repr(failure.cause)[:2000]
        )
        raise self.retry(exc=failure.cause, countdown=_backoff(self)) from failure
    except Exception as exc:
        raise self.retry(exc=exc, countdown=_backoff(self)) from exc


def _backoff(task) -> int:
    return 30 * 2**task.request.retries
