from django.core.management.base import BaseCommand

from grants.services.calls import calls_close_due
from grants.services.reports import reports_open_due
from workflows.notifications import notifications_sweep


class Command(BaseCommand):
    """Run the deadline sweep once (Celery beat runs it every DEADLINE_SWEEP_SECONDS).

    1. Find open calls whose closing second has passed (server clock, UTC).
    2. Close each through `call_close` under a row lock, so two sweeps close it once.
    3. Open the scheduled reports whose period has ended, the same way.
    4. The reminder outbox: see workflows.notifications (insert due reminders once, cancel
       those of met or moved deadlines, re-queue stuck rows, enqueue pending ones).
    """

    help = "Close calls whose deadline has passed; open reports whose period has ended."

    def handle(self, *args, **options):
        closed = calls_close_due()
        opened = reports_open_due()
        self.stdout.write(f"calls closed: {closed}")
        self.stdout.write(f"reports opened: {opened}")
        result = notifications_sweep()
        self.stdout.write(
            f"reminders: {result.inserted} new, {result.cancelled} cancelled, "
            f"{result.requeued} re-queued, {result.enqueued} enqueued, "
            f"{result.digests} daily digests"
        )
