import datetime as dt
import itertools
from io import StringIO

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connections
from django.utils import timezone

from workflows.models import Notification

pytestmark = pytest.mark.django_db

STATES = ["pending", "sending", "digest", "sent", "failed", "cancelled"]
_keys = itertools.count(1)


def row(recipient, *, kind="report_due", state="pending", due=dt.timedelta(hours=-1), **fields):
    """An outbox row due `due` from now (negative: in the past)."""
    now = timezone.now()
    fields.setdefault("offset", "event" if kind not in REMINDER_KINDS else "-7d")
    return Notification.objects.create(
        recipient=recipient,
        kind=kind,
        deadline_key=f"test:{next(_keys)}",
        deadline_at=now + dt.timedelta(days=7),
        due_at=now + due,
        subject="[Regrant] Something",
        body="Something happened.",
        state=state,
        **fields,
    )


REMINDER_KINDS = {"call_closing", "clarification_due", "review_due", "report_due", "tranche_due"}


def summary(*args) -> str:
    out = StringIO()
    call_command("outbox_summary", *args, stdout=out)
    return out.getvalue()


def table(output: str) -> dict[str, dict[str, int]]:
    """The per-kind table as {kind or "all": {state or "total": count}}."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == ["kind"])
    header = lines[start].split()
    assert header == ["kind", *STATES, "total"]
    parsed = {}
    for line in lines[start + 1 :]:
        first, *cells = line.split()
        parsed[first] = dict(zip(header[1:], map(int, cells), strict=True))
        if first == "all":
            return parsed
    raise AssertionError(f"no 'all' row in:\n{output}")


def line_starting(output: str, prefix: str) -> str:
    found = [line for line in output.splitlines() if line.startswith(prefix)]
    assert len(found) == 1, output
    return found[0]


def test_an_empty_outbox_says_so():
    output = summary()
    assert table(output) == {"all": dict.fromkeys([*STATES, "total"], 0)}
    assert line_starting(output, "oldest pending:") == "oldest pending: none"
    assert line_starting(output, "stuck in sending") == "stuck in sending > 10 min: 0"
    assert line_starting(output, "failed:") == "failed: none"


def test_counts_per_state_overall_and_per_kind(applicant_a, colleague_a, manager):
    for _ in range(3):
        row(applicant_a, state="pending")
    row(colleague_a, state="pending")
    row(applicant_a, state="sent")
    row(applicant_a, state="failed", error="SMTPRecipientsRefused")
    row(manager, kind="review_due", state="sent")
    row(manager, kind="review_due", state="sent")
    row(manager, kind="review_due", state="cancelled")
    row(manager, kind="review_due", state="sending", claimed_at=timezone.now())
    row(applicant_a, kind="decision", state="digest")
    row(applicant_a, kind="decision", state="digest")
    row(colleague_a, kind="decision", state="sent")

    def counts(**by_state):
        return {s: by_state.get(s, 0) for s in STATES} | {"total": sum(by_state.values())}

    assert table(summary()) == {
        "decision": counts(digest=2, sent=1),
        "report_due": counts(pending=4, sent=1, failed=1),
        "review_due": counts(sending=1, sent=2, cancelled=1),
        "all": counts(pending=4, sending=1, digest=2, sent=4, failed=1, cancelled=1),
    }


def test_the_oldest_pending_row_is_shown_with_its_age(applicant_a, manager):
    row(applicant_a, state="pending", due=dt.timedelta(hours=-1))
    oldest = row(manager, kind="review_due", state="pending", due=-dt.timedelta(days=2, hours=3))
    # Older, but not pending: they do not count.
    row(applicant_a, state="sent", due=dt.timedelta(days=-9))
    row(applicant_a, state="digest", due=dt.timedelta(days=-9))
    due = oldest.due_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    assert line_starting(summary(), "oldest pending:") == (
        f"oldest pending: due {due}, waiting 2 d 3 h (#{oldest.pk}, review_due)"
    )


def test_only_rows_claimed_more_than_10_minutes_ago_are_stuck(applicant_a):
    now = timezone.now()
    row(applicant_a, state="sending", claimed_at=now - dt.timedelta(minutes=11))
    row(applicant_a, state="sending", claimed_at=now - dt.timedelta(hours=5))
    row(applicant_a, state="sending", claimed_at=now - dt.timedelta(minutes=9))
    # Claimed long ago but no longer sending.
    row(applicant_a, state="sent", claimed_at=now - dt.timedelta(hours=5))
    row(applicant_a, state="pending", claimed_at=now - dt.timedelta(hours=5))
    assert line_starting(summary(), "stuck in sending") == "stuck in sending > 10 min: 2"


def test_the_last_ten_failed_rows_most_recent_attempt_first(applicant_a, manager):
    now = timezone.now()
    failed = [
        row(
            applicant_a if i % 2 else manager,
            kind="report_due" if i % 2 else "review_due",
            state="failed",
            attempts=6,
            claimed_at=now - dt.timedelta(minutes=i),
            error=f"SMTPServerDisconnected('closed {i}')\nTraceback line that is not shown",
        )
        for i in range(12)
    ]
    row(applicant_a, state="sent", claimed_at=now)  # not failed: never listed
    output = summary()
    assert line_starting(output, "failed:") == (
        "failed: 12, the last 10 (most recent attempt first):"
    )
    listed = [line.split(maxsplit=7) for line in output.splitlines() if line.startswith("  #")]
    assert [(x[0], x[4], x[5], x[6], x[7]) for x in listed] == [
        (
            f"#{n.pk}",
            n.recipient.email,
            n.kind,
            "attempts=6",
            f"SMTPServerDisconnected('closed {i}')",
        )
        for i, n in enumerate(failed[:10])
    ]
    assert "Traceback line" not in output


def test_since_counts_only_rows_due_in_the_last_days(applicant_a, manager):
    row(applicant_a, state="pending", due=dt.timedelta(days=-1))
    row(applicant_a, state="sent", due=dt.timedelta(days=-6))
    old_pending = row(manager, kind="review_due", state="pending", due=dt.timedelta(days=-30))
    row(manager, kind="review_due", state="failed", due=dt.timedelta(days=-30), error="boom")
    row(
        manager,
        kind="review_due",
        state="sending",
        due=dt.timedelta(days=-30),
        claimed_at=timezone.now() - dt.timedelta(hours=1),
    )

    everything = summary()
    assert table(everything)["all"]["total"] == 5
    assert f"(#{old_pending.pk}, review_due)" in line_starting(everything, "oldest pending:")
    assert line_starting(everything, "stuck in sending") == "stuck in sending > 10 min: 1"

    recent = summary("--since", "7")
    assert line_starting(recent, "Outbox,").endswith("(last 7 days)")
    assert table(recent) == {
        "report_due": {**dict.fromkeys(STATES, 0), "pending": 1, "sent": 1, "total": 2},
        "all": {**dict.fromkeys(STATES, 0), "pending": 1, "sent": 1, "total": 2},
    }
    assert "waiting 1 d 0 h" in line_starting(recent, "oldest pending:")
    assert line_starting(recent, "stuck in sending") == "stuck in sending > 10 min: 0"
    assert line_starting(recent, "failed:") == "failed: none"


def test_fail_on_failed_exits_1_only_when_there_are_failed_rows(applicant_a):
    row(applicant_a, state="pending")
    row(applicant_a, state="cancelled")
    summary("--fail-on-failed")  # nothing failed: no error

    row(applicant_a, state="failed", due=dt.timedelta(days=-20), error="boom")
    summary()  # without the option, failures are reported but do not fail
    with pytest.raises(CommandError) as raised:
        summary("--fail-on-failed")
    assert raised.value.returncode == 1
    assert "1 failed" in str(raised.value)
    summary("--fail-on-failed", "--since", "7")  # the failure is older than the window


def test_the_exit_status_from_the_command_line(applicant_a, capsys, monkeypatch):
    row(applicant_a, state="failed", error="boom")
    # manage.py closes every connection on the way out; the test's transaction needs its own.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    ManagementUtility(["manage.py", "outbox_summary"]).execute()  # exits 0: returns
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "outbox_summary", "--fail-on-failed"]).execute()
    assert exited.value.code == 1
    assert "1 failed notification(s)" in capsys.readouterr().err
