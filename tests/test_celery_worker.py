"""A real Celery worker, in its own process, on the embedded broker (Kombu's filesystem
transport, what `make run` uses without REDIS_URL) and on Redis (CI sets REDIS_URL)."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone

from applications.services import application_submit
from grants.models import Call

pytestmark = pytest.mark.django_db(transaction=True)


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(params=["filesystem", "redis"])
def broker(request, tmp_path):
    if request.param == "redis":
        if not os.environ.get("REDIS_URL"):
            pytest.skip("REDIS_URL is not set")
        url = os.environ["REDIS_URL"]
        producer = Celery(broker=url)
        env = {"REDIS_URL": url}
    else:
        folder = tmp_path / "broker"
        for sub in ("out", "processed", "control"):
            (folder / sub).mkdir(parents=True)
        producer = Celery(broker="filesystem://")
        producer.conf.broker_transport_options = {
            "data_folder_in": str(folder / "out"),
            "data_folder_out": str(folder / "out"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
        }
        env = {"REDIS_URL": "", "CELERY_BROKER_DIR": str(folder)}
    return producer, env


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
    log = (tmp_path / "worker.log").open("w")
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
    yield producer, mail_dir
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def _wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def _sent_mail(mail_dir: Path) -> str:
    return "".join(p.read_text() for p in mail_dir.glob("*.log")) if mail_dir.exists() else ""


def test_it_sends_the_receipt_through_a_real_worker(worker, draft, applicant_a):
    producer, mail_dir = worker
    application = application_submit(application=draft, actor=applicant_a)

    producer.send_task("workflows.tasks.send_submission_receipt", args=[application.pk])

    assert _wait_for(lambda: application.reference in _sent_mail(mail_dir)), "no receipt sent"
    assert applicant_a.email in _sent_mail(mail_dir)


def test_it_closes_a_due_call_in_the_sweep(worker, call):
    producer, _mail_dir = worker
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=5))

    producer.send_task("workflows.tasks.deadline_sweep")

    assert _wait_for(lambda: Call.objects.get(pk=call.pk).state == Call.State.CLOSED)
