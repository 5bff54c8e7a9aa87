"""Side effects after commit. A broker outage must never turn a committed change into an error."""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args) -> None:
    def send():
        try:
            task.delay(*args)
        except (OperationalError, ConnectionError):
            # The broker is down: the change stands. (Issue 5's outbox makes this lossless.)
            logger.exception("Could not enqueue %s%r", task.name, args)

    transaction.on_commit(send)
