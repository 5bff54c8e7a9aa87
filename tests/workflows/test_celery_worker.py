"""A real Celery worker, in its own process, on the embedded broker (Kombu's filesystem
transport, what `make run` uses without REDIS_URL) and on Redis (CI sets REDIS_URL).

The worker runs with the project's own settings (config.settings.base, not eager), the test
database and the file e-mail backend; the test talks to it through a producer app of its own
and reads what it did from the database, the mail files and its log."""

import ast
import datetime as dt
import email
import email.policy
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone

from applications.services.applications import application_submit
from grants.models import Call
from workflows import tasks
from workflows.models import Notification
from workflows.notifications import notifications_sweep

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 60.0


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    login = quote(db["USER"], safe="")
    if db.get("PASSWORD"):
        login += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def redis_url():
    """A logical Redis database for this test alone, reserved with a key on REDIS_URL's own:
    a worker of another run (a parallel session, pytest-xdist, `make run`) consuming the same
    queue would take this test's tasks, and this worker theirs."""
    import redis

    base = os.environ["REDIS_URL"]
    own = int(urlsplit(base).path.strip("/") or 0)
    client = redis.Redis.from_url(base)
    for db in (n for n in range(16) if n != own):
        key = f"regrant:test-celery-worker:db{db}"
        if client.set(key, os.getpid(), nx=True, ex=900):
            yield urlsplit(base)._replace(path=f"/{db}").geturl()
            client.delete(key)
            client.close()
            return
    client.close()
    pytest.fail("no free Redis database for the worker test (all of 0–15 are reserved)")


@pytest.fixture(params=["filesystem", "redis"])
def broker(request, tmp_path):
    # set_as_current=False: a Celery app made current would become the app of every
    # shared_task in this process — `notification_send.delay()` in this and every later test
    # would go to this broker instead of running eagerly as config.settings.test says.
    if request.param == "redis":
        if not os.environ.get("REDIS_URL"):
            pytest.skip("REDIS_URL is not set")
        url = request.getfixturevalue("redis_url")
        producer = Celery(broker=url, set_as_current=False)
        env = {"REDIS_URL": url}
    else:
        folder = tmp_path / "broker"
        for sub in ("out", "processed", "control"):
            (folder / sub).mkdir(parents=True)
        producer = Celery(broker="filesystem://", set_as_current=False)
        producer.conf.broker_transport_options = {
            "data_folder_in": str(folder / "out"),
            "data_folder_out": str(folder / "out"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
        }
        env = {"REDIS_URL": "", "CELERY_BROKER_DIR": str(folder)}
    yield producer, env
    producer.close()


@dataclass
class Worker:
    producer: Celery
    mail_dir: Path
    log: Path

    def send(self, name: str, *args) -> str:
        """Put a task on the worker's broker; returns its id."""
        return self.producer.send_task(f"workflows.tasks.{name}", args=list(args)).id

    def finished(self, task_id: str):
        """Wait until the worker has run the task; returns what it returned (from its log)."""
        pattern = re.compile(
            rf"\[{re.escape(task_id)}\] (?:succeeded in \S+s: (?P<value>.*)|(?P<error>raised .*))$",
            re.MULTILINE,
        )
        found = []

        def done():
            match = pattern.search(self.log.read_text())
            if match:
                found.append(match)
            return bool(match)

        assert _wait_for(done), f"task {task_id} did not finish:\n{self.log_tail()}"
        assert found[0]["error"] is None, f"task {task_id} failed:\n{self.log_tail()}"
        return ast.literal_eval(found[0]["value"])

    def run(self, name: str, *args):
        """Send a task and wait for it to finish; returns what it returned."""
        return self.finished(self.send(name, *args))

    def mails(self) -> list[email.message.EmailMessage]:
        """Every message the worker sent: the file backend writes a file per connection and
        ends each message with a line of 79 dashes."""
        separator = b"\n" + b"-" * 79 + b"\n"
        return [
            email.message_from_bytes(chunk, policy=email.policy.default)
            for path in sorted(self.mail_dir.glob("*.log"))
            for chunk in path.read_bytes().split(separator)
            if chunk.strip()
        ]

    def log_tail(self) -> str:
        return "\n".join(self.log.read_text().splitlines()[-40:])


@pytest.fixture
def worker(broker, tmp_path):
    producer, broker_env = broker
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        **broker_env,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": _database_url(),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    log_path = tmp_path / "worker.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-l",
            "INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield Worker(producer=producer, mail_dir=mail_dir, log=log_path)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


def _wait_for(predicate, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def _sent(pk: int) -> bool:
    return Notification.objects.filter(pk=pk, state=Notification.State.SENT).exists()


def _text(message: email.message.EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_it_e_mails_the_receipt_from_the_outbox(worker, draft, applicant_a, monkeypatch):
    # The on-commit hand-over of this process goes to the worker's broker (in the web
    # process it is the broker of the settings; here, eager by default).
    monkeypatch.setattr(
        tasks.notification_send,
        "delay",
        lambda pk: worker.producer.send_task("workflows.tasks.notification_send", args=[pk]),
    )

    application = application_submit(application=draft, actor=applicant_a)

    row = Notification.objects.get(kind=Notification.Kind.APPLICATION_RECEIVED)
    assert (row.recipient, row.offset) == (applicant_a, Notification.EVENT)
    assert _wait_for(lambda: _sent(row.pk)), f"the receipt was not sent:\n{worker.log_tail()}"
    row.refresh_from_db()
    assert row.emailed_at is not None and row.attempts == 1
    [mail] = worker.mails()
    assert mail["To"] == applicant_a.email
    assert application.reference in mail["Subject"]
    body = _text(mail)
    assert application.reference in body
    assert f"{settings.SITE_URL.rstrip('/')}/applications/{application.pk}/receipt/" in body


def test_three_sweeps_in_the_worker_send_one_reminder(worker, report, applicant_a):
    results = [worker.run("deadline_sweep") for _ in range(3)]

    assert [(r["reminders"], r["enqueued"]) for r in results] == [(1, 1), (0, 0), (0, 0)]
    row = Notification.objects.get()
    assert (row.recipient, row.kind, row.offset) == (applicant_a, "report_due", "-7d")
    assert _wait_for(lambda: _sent(row.pk)), f"the reminder was not sent:\n{worker.log_tail()}"
    row.refresh_from_db()
    assert row.emailed_at is not None and row.attempts == 1
    [mail] = worker.mails()
    assert mail["To"] == applicant_a.email
    assert "Due in 7 days" in mail["Subject"]
    link = f"{settings.SITE_URL.rstrip('/')}/grants/{report.grant_id}/reports/{report.pk}/"
    assert link in _text(mail)


def test_a_row_claimed_by_a_worker_that_died_is_sent_once(worker, report, applicant_a):
    notifications_sweep(enqueue=False)
    row = Notification.objects.get()
    now = timezone.now()

    def claimed(ago: dt.timedelta):
        Notification.objects.filter(pk=row.pk).update(
            state=Notification.State.SENDING, claimed_at=now - ago, queued_at=now - ago, attempts=1
        )

    claimed(dt.timedelta(minutes=1))  # still being sent, as far as anyone can tell
    assert worker.run("deadline_sweep")["enqueued"] == 0
    row.refresh_from_db()
    assert row.state == Notification.State.SENDING

    claimed(dt.timedelta(minutes=11))  # the worker died after claiming it
    assert worker.run("deadline_sweep")["enqueued"] == 1
    assert _wait_for(lambda: _sent(row.pk)), f"the row was not re-sent:\n{worker.log_tail()}"
    row.refresh_from_db()
    assert row.emailed_at is not None and row.attempts == 2

    assert worker.run("notification_send", row.pk) == "skipped"  # a late duplicate
    assert worker.run("deadline_sweep")["enqueued"] == 0
    [mail] = worker.mails()
    assert mail["To"] == applicant_a.email and "Due in 7 days" in mail["Subject"]


def test_it_closes_a_due_call_in_the_sweep(worker, call):
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=5))

    assert worker.run("deadline_sweep")["calls_closed"] == 1

    assert Call.objects.get(pk=call.pk).state == Call.State.CLOSED
