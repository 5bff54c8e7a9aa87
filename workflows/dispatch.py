"""Side effects after commit. A broker outage must never turn a committed change into an error."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args) -> None:
    def send():
        try:
            task.delay(*args)
        except Exception:  # the broker is down: the change stands; the sweep catches up later
            logger.exception("Could not enqueue %s%r", task.name, args)

    transaction.on_commit(send)
