"""Benchmark: the deadline-reminder sweep when 100,000 reminders come due at once.

    .venv/bin/python benchmarks/reminder_sweep.py [--reminders 100000] [--members 4]
        [--grants-per-org 2] [--programmes 10] [--profile LINES]

Builds a throwaway test database (SQLite by default, PostgreSQL when DATABASE_URL is set),
fills it in bulk with open reports due in 6 days (so each one's "7 days before" reminder has
come due for every member of the grantee organisation), then times `notifications_sweep`
without enqueueing: the first run inserts every reminder, the rerun inserts nothing. Prints
the figures (time, rows inserted, rows per second, queries); asserts nothing about time.
With --profile, prints the costliest calls of each run (cProfile, which slows it down).
"""

import argparse
import cProfile
import datetime as dt
import math
import os
import pstats
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
# Nothing is enqueued here (enqueue=False), but keep Celery away from a real broker anyway.
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
# A throwaway broker folder, removed at the end (unless CELERY_BROKER_DIR names one already).
os.environ["CELERY_BROKER_DIR"] = os.environ.get("CELERY_BROKER_DIR") or tempfile.mkdtemp(
    prefix="regrant-bench-broker-"
)

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reminders", type=int, default=100_000, help="reminders due")
    parser.add_argument("--members", type=int, default=4, help="members per organisation")
    parser.add_argument("--grants-per-org", type=int, default=2)
    parser.add_argument("--programmes", type=int, default=10)
    parser.add_argument(
        "--profile", type=int, metavar="LINES", default=0, help="print a cProfile of each run"
    )
    args = parser.parse_args()
    if min(args.reminders, args.members, args.grants_per_org, args.programmes) < 1:
        parser.error("every figure must be at least 1")

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        broker = Path(os.environ["CELERY_BROKER_DIR"])
        if broker.name.startswith("regrant-bench-broker-") and broker.parent == Path(
            tempfile.gettempdir()
        ):
            shutil.rmtree(broker, ignore_errors=True)


class QueryCounter:
    """Counts the queries sent to the database (an execute wrapper: no SQL is kept)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def build(args) -> int:
    """Open reports due in 6 days, one per grant; returns the number of reminders due."""
    from django.utils import timezone

    from accounts.models import User
    from grants.models import Grant, Membership, Organisation, Programme, ProgrammeRole, Report

    reports = math.ceil(args.reminders / args.members)
    orgs_needed = math.ceil(reports / args.grants_per_org)
    batch = 2000

    owner = Organisation.objects.create(legal_name="Lead network", country="RS", org_type="cso")
    programmes = Programme.objects.bulk_create(
        Programme(
            title=f"Fund {i}",
            owner=owner,
            budget=Decimal("1000000"),
            start_date=dt.date(2026, 1, 1),
            end_date=dt.date(2030, 12, 31),
        )
        for i in range(args.programmes)
    )
    managers = User.objects.bulk_create(
        User(email=f"manager{i}@bench.example") for i in range(args.programmes)
    )
    ProgrammeRole.objects.bulk_create(
        ProgrammeRole(user=u, programme=p, role=ProgrammeRole.Role.MANAGER)
        for u, p in zip(managers, programmes, strict=True)
    )
    orgs = Organisation.objects.bulk_create(
        (
            Organisation(legal_name=f"Grantee {i}", country="RS", org_type="cso")
            for i in range(orgs_needed)
        ),
        batch_size=batch,
    )
    users = User.objects.bulk_create(
        (User(email=f"member{i}@bench.example") for i in range(orgs_needed * args.members)),
        batch_size=batch,
    )
    Membership.objects.bulk_create(
        (Membership(user=u, organisation=orgs[i // args.members]) for i, u in enumerate(users)),
        batch_size=batch,
    )
    grants = Grant.objects.bulk_create(
        (
            Grant(
                title=f"Project {i}",
                organisation=orgs[i // args.grants_per_org],
                programme=programmes[i % args.programmes],
                amount=Decimal("9000"),
                state=Grant.State.ACTIVE,
            )
            for i in range(reports)
        ),
        batch_size=batch,
    )
    # Due at the end of the day six days from now: the "7 days before" reminder has come due
    # (and the 14-day one is superseded by it), the "1 day before" one has not.
    due = timezone.localdate() + dt.timedelta(days=6)
    Report.objects.bulk_create(
        (
            Report(
                grant=g,
                number=1,
                kind=Report.Kind.INTERIM,
                period_start=due - dt.timedelta(days=200),
                period_end=due - dt.timedelta(days=20),
                due_date=due,
                state=Report.State.OPEN,
            )
            for g in grants
        ),
        batch_size=batch,
    )
    return reports * args.members


def timed(counter: QueryCounter, fn, profile: int = 0):
    counter.count = 0
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = profiler.runcall(fn) if profiler else fn()
    seconds = time.perf_counter() - started
    if profiler:
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(profile)
    return result, seconds, counter.count


def run(args) -> None:
    from workflows.models import Notification
    from workflows.notifications import notifications_sweep

    started = time.perf_counter()
    expected = build(args)
    setup = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    counter = QueryCounter()
    sweep = lambda: notifications_sweep(enqueue=False)  # noqa: E731
    first, first_s, first_q = timed(counter, sweep, args.profile)
    again, again_s, again_q = timed(counter, sweep, args.profile)
    stored = Notification.objects.count()

    def rate(rows: int, seconds: float) -> str:
        return f"{rows / seconds:,.0f} rows/s" if rows else "-"

    print(f"database: {connection.vendor}")
    print(
        f"reminders due: {expected:,} (reports: {expected // args.members:,}, "
        f"members per organisation: {args.members}, grants per organisation: "
        f"{args.grants_per_org}, programmes: {args.programmes}); built in {setup:.1f} s"
    )
    print(
        f"first sweep: {first.inserted:,} inserted in {first_s:.2f} s "
        f"({rate(first.inserted, first_s)}), {first_q:,} queries; "
        f"cancelled {first.cancelled}, re-queued {first.requeued}"
    )
    print(
        f"second sweep (nothing new): {again.inserted:,} inserted in {again_s:.2f} s, "
        f"{again_q:,} queries; cancelled {again.cancelled}, re-queued {again.requeued}"
    )
    print(f"rows in the outbox: {stored:,}")
    if first.inserted != expected or again.inserted or stored != expected:
        print(f"WARNING: expected {expected:,} rows once, got the figures above", file=sys.stderr)


if __name__ == "__main__":
    main()
