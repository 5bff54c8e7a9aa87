import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, F
from django.utils import timezone

from workflows.models import Notification
from workflows.notifications import STUCK_AFTER

STATES = [
    Notification.State.PENDING,
    Notification.State.SENDING,
    Notification.State.DIGEST,
    Notification.State.SENT,
    Notification.State.FAILED,
    Notification.State.CANCELLED,
]
LAST_FAILED = 10


def _age(delta: dt.timedelta) -> str:
    """A duration for people: "3 d 4 h", "2 h 5 min", "7 min", "40 s"."""
    seconds = int(abs(delta).total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min"
    return f"{seconds} s"


def _when(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


class Command(BaseCommand):
    """The state of the notification outbox, for operators.

    1. Counts per state (pending, sending, digest, sent, failed, cancelled), overall and per
       kind, in one aggregate query.
    2. The oldest pending row: when it was due and how long it has waited.
    3. Rows stuck in "sending" longer than STUCK_AFTER (a worker died after claiming; the
       next sweep puts them back to pending).
    4. The last failed rows (most recent attempt first): recipient, kind, attempts, error.

    `--since DAYS` looks only at rows due in the last DAYS days (or due later); every figure
    above, and `--fail-on-failed`, then count only those.
    """

    help = "Summarise the notification outbox: counts per state and kind, backlog, failures."

    def add_arguments(self, parser):
        parser.add_argument(
            "--since",
            type=int,
            metavar="DAYS",
            help="only rows due in the last DAYS days (default: all rows)",
        )
        parser.add_argument(
            "--fail-on-failed",
            action="store_true",
            help="exit with status 1 when there are failed rows (for monitoring)",
        )

    def handle(self, *args, since=None, fail_on_failed=False, **options):
        now = timezone.now()
        rows = Notification.objects.all()
        if since is not None:
            if since < 0:
                raise CommandError("--since must be a number of days, 0 or more.")
            start = now - dt.timedelta(days=since)
            rows = rows.filter(due_at__gte=start)
            self.stdout.write(f"Outbox, rows due since {_when(start)} (last {since} days)")
        else:
            self.stdout.write("Outbox, all rows")
        self.stdout.write(f"now: {_when(now)}")
        self.stdout.write("")

        counts: dict[str, dict[str, int]] = {}
        for kind, state, n in rows.order_by().values_list("kind", "state").annotate(n=Count("id")):
            counts.setdefault(kind, {})[state] = n
        totals = {s: sum(by_state.get(s, 0) for by_state in counts.values()) for s in STATES}
        self._table(counts, totals)
        self.stdout.write("")

        oldest = rows.filter(state=Notification.State.PENDING).order_by("due_at", "id").first()
        if oldest is None:
            self.stdout.write("oldest pending: none")
        elif oldest.due_at <= now:
            self.stdout.write(
                f"oldest pending: due {_when(oldest.due_at)}, "
                f"waiting {_age(now - oldest.due_at)} (#{oldest.pk}, {oldest.kind})"
            )
        else:
            self.stdout.write(
                f"oldest pending: due {_when(oldest.due_at)}, "
                f"in {_age(oldest.due_at - now)} (#{oldest.pk}, {oldest.kind})"
            )
        stuck = rows.filter(
            state=Notification.State.SENDING, claimed_at__lt=now - STUCK_AFTER
        ).count()
        minutes = int(STUCK_AFTER.total_seconds() // 60)
        self.stdout.write(f"stuck in sending > {minutes} min: {stuck}")
        self.stdout.write("")

        failed = totals[Notification.State.FAILED]
        self._failed(rows, failed)

        if fail_on_failed and failed:
            raise CommandError(f"{failed} failed notification(s) in the outbox.", returncode=1)

    def _table(self, counts: dict[str, dict[str, int]], totals: dict[str, int]) -> None:
        labels = [*sorted(counts), "all"]
        width = max(len("kind"), *(len(k) for k in labels))
        widths = [max(len(s), len(str(totals[s]))) for s in STATES]
        widths.append(max(len("total"), len(str(sum(totals.values())))))

        def line(first: str, cells) -> str:
            return "  ".join(
                [first.ljust(width), *(str(c).rjust(w) for c, w in zip(cells, widths, strict=True))]
            ).rstrip()

        self.stdout.write(line("kind", [*STATES, "total"]))
        for kind in labels[:-1]:
            by_state = counts[kind]
            self.stdout.write(
                line(kind, [*(by_state.get(s, 0) for s in STATES), sum(by_state.values())])
            )
        self.stdout.write(line("all", [*(totals[s] for s in STATES), sum(totals.values())]))

    def _failed(self, rows, failed: int) -> None:
        if not failed:
            self.stdout.write("failed: none")
            return
        shown = min(failed, LAST_FAILED)
        self.stdout.write(f"failed: {failed}, the last {shown} (most recent attempt first):")
        last = (
            rows.filter(state=Notification.State.FAILED)
            .select_related("recipient")
            .order_by(F("claimed_at").desc(nulls_last=True), "-due_at", "-id")[:LAST_FAILED]
        )
        for n in last:
            error = (n.error.strip().splitlines() or ["(no error recorded)"])[0]
            self.stdout.write(
                f"  #{n.pk}  {_when(n.claimed_at or n.due_at)}  {n.recipient.email}  {n.kind}  "
                f"attempts={n.attempts}  {error[:200]}"
            )
