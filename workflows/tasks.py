from celery import shared_task

# The delivery tasks live with the delivery (the sweep enqueues them); imported here so that a
# worker finds every task through this module.
from workflows.delivery import notification_digest, notification_send
from workflows.notifications import notifications_sweep
from workflows.registry import sweep_steps

__all__ = ["deadline_sweep", "notification_digest", "notification_send"]


@shared_task
def deadline_sweep() -> dict:
    """Periodic: the state changes that come with time (calls closing, reports opening: the
    apps' registered sweep steps), then the reminders. See `manage.py deadline_sweep`."""
    done = {step.key: step.run() for step in sweep_steps()}
    result = notifications_sweep()
    return {
        **done,
        "reminders": result.inserted,
        "cancelled": result.cancelled,
        "requeued": result.requeued,
        "enqueued": result.enqueued,
        "digests": result.digests,
    }
