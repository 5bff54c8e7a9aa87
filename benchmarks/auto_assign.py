"""Benchmark: automatic reviewer assignment on a realistic large call.

    .venv/bin/python benchmarks/auto_assign.py [--applications 5000] [--reviewers 200] [--per 3]

Builds a throwaway test database (SQLite by default, PostgreSQL when DATABASE_URL is set),
fills it in bulk, then times `assignments_auto_assign` on the full call and a rerun that has
nothing to fill. Prints the figures; asserts nothing about time.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
# Notices go to a throwaway broker folder instead of being rendered inside the timing.
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
os.environ.setdefault("CELERY_BROKER_DIR", tempfile.mkdtemp(prefix="regrant-bench-broker-"))

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=5000)
    parser.add_argument("--reviewers", type=int, default=200)
    parser.add_argument("--per", type=int, default=3)
    parser.add_argument(
        "--same-country", action="store_true", help="exclude same-country reviewers"
    )
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(args) -> None:
    from accounts.models import User
    from applications.models import Application, ReviewAssignment
    from applications.services.review import assignments_auto_assign
    from grants.models import CallReviewer, Membership, Organisation, ProgrammeRole
    from tests import factories as f

    call = f.CallFactory(reviewers_per_application=args.per, exclude_same_country=args.same_country)
    manager = f.UserFactory()
    ProgrammeRole.objects.create(user=manager, programme=call.programme, role="manager")
    countries = ["AL", "BA", "ME", "MK", "RS", "XK"]
    orgs = Organisation.objects.bulk_create(
        Organisation(legal_name=f"Org {i}", country=countries[i % 6], org_type="cso")
        for i in range(args.applications)
    )
    Application.objects.bulk_create(
        (
            Application(call=call, organisation=org, title=f"Project {i}", created_by=manager)
            for i, org in enumerate(orgs)
        ),
        batch_size=1000,
    )
    # Eligible: set in bulk for the benchmark's setup only (the services are not timed here).
    Application.objects.filter(call=call).update(state="eligible")
    reviewers = User.objects.bulk_create(
        User(email=f"reviewer{i}@bench.example") for i in range(args.reviewers)
    )
    CallReviewer.objects.bulk_create(
        CallReviewer(call=call, user=r, country=countries[i % 6]) for i, r in enumerate(reviewers)
    )
    # Every tenth reviewer is a member of some applicant organisation (an exclusion).
    Membership.objects.bulk_create(
        Membership(user=r, organisation=orgs[i * 7 % len(orgs)])
        for i, r in enumerate(reviewers)
        if i % 10 == 0
    )

    started = time.perf_counter()
    created = assignments_auto_assign(call=call, actor=manager)
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = assignments_auto_assign(call=call, actor=manager)
    rerun = time.perf_counter() - started

    loads = {}
    for reviewer_id in ReviewAssignment.objects.values_list("reviewer_id", flat=True):
        loads[reviewer_id] = loads.get(reviewer_id, 0) + 1
    print(f"database: {connection.vendor}")
    print(
        f"applications: {args.applications}, reviewers: {args.reviewers}, "
        f"per application: {args.per}, same-country exclusion: {args.same_country}"
    )
    print(f"auto-assign: {created} assignments in {first:.2f} s")
    print(f"rerun (nothing to fill): {again} assignments in {rerun:.2f} s")
    print(f"load per reviewer: min {min(loads.values())}, max {max(loads.values())}")
    print(f"applications in review: {Application.objects.filter(state='in_review').count()}")


if __name__ == "__main__":
    main()
