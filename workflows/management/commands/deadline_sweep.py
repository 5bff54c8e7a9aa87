from django.core.management.base import BaseCommand

from workflows.notifications import notifications_sweep
from workflows.registry import sweep_steps


class Command(BaseCommand):
    """Run the deadline sweep once (Celery beat runs it every DEADLINE_SWEEP_SECONDS).

    1. Run the apps' sweep steps, in the order they registered (grants: close the open calls
       whose closing second has passed, server clock, UTC, each through `call_close` under a
       row lock, so two sweeps close it once; then open the scheduled reports whose period
       has ended, the same way).
    2. The reminder outbox: see workflows.notifications (insert due reminders once, cancel
       those of met or moved deadlines, re-queue stuck rows, enqueue pending ones).
    """

    help = "Close calls whose deadline has passed; open reports whose period has ended."

    def handle(self, *args, **options):
        for step in sweep_steps():
            self.stdout.write(f"{step.label}: {step.run()}")
        result = notifications_sweep()
        self.stdout.write(
            f"reminders: {result.inserted} new, {result.cancelled} cancelled, "
            f"{result.requeued} re-queued, {result.enqueued} enqueued, "
            f"{result.digests} daily digests"
        )
