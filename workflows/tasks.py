import datetime as dt

from celery import shared_task


@shared_task
def deadline_sweep() -> dict:
    """Periodic: close calls whose closing second has passed and open reports whose period
    has ended. See `manage.py deadline_sweep`."""
    from grants.services.calls import calls_close_due
    from grants.services.reports import reports_open_due
    from workflows.notifications import notifications_sweep

    closed, opened = calls_close_due(), reports_open_due()
    result = notifications_sweep()
    return {
        "calls_closed": closed,
        "reports_opened": opened,
        "reminders": result.inserted,
        "cancelled": result.cancelled,
        "requeued": result.requeued,
        "enqueued": result.enqueued,
        "digests": result.digests,
    }


@shared_task(bind=True, max_retries=5)
def notification_send(self, notification_id: int) -> str:
    """Send one outbox row. The claim makes a duplicate delivery of this task harmless. A
    failure after the claim puts the row back to pending (failed, after the last retry) and
    retries with backoff; a failure before it (the database away) only retries — the row is
    still pending, and the sweep hands it over again if every retry fails."""
    from workflows.models import Notification
    from workflows.notifications import DeliveryFailed, notification_deliver

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


@shared_task(bind=True, max_retries=5)
def notification_digest(self, user_id: int, until: str) -> int:
    """Send one person's daily digest. The rows are claimed as a batch, so a duplicate of this
    task sends nothing; a failure puts this batch back for the digest and retries with backoff
    (the next sweep would enqueue it again anyway)."""
    from workflows.models import Notification
    from workflows.notifications import DeliveryFailed, digest_deliver

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
