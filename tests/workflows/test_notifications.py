import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone
from kombu.exceptions import OperationalError

from grants.models import Call
from grants.services.reports import report_save, report_submit
from workflows import tasks
from workflows.models import Notification
from workflows.notifications import notifications_sweep, offset_moment


def test_a_report_due_in_7_days_is_reminded_once_over_three_sweeps(
    report, applicant_a, django_capture_on_commit_callbacks, mailoutbox
):
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            notifications_sweep()
    rows = Notification.objects.filter(recipient=applicant_a)
    assert [(n.kind, n.offset, n.state) for n in rows] == [("report_due", "-7d", "sent")]
    assert [m.to for m in mailoutbox] == [[applicant_a.email]]
    assert f"/grants/{report.grant_id}/reports/{report.pk}/" in mailoutbox[0].body


def test_a_submitted_report_cancels_its_remaining_reminders(report, applicant_a, programme):
    notifications_sweep(enqueue=False)
    assert Notification.objects.filter(state="pending").count() == 1
    report_save(
        report=report,
        actor=applicant_a,
        version=None,
        narrative={q: "Done." for q in programme.report_questions},
    )
    report_submit(report=report, actor=applicant_a)
    result = notifications_sweep(enqueue=False)
    assert result.cancelled == 1
    assert list(Notification.objects.values_list("state", flat=True)) == ["cancelled"]


def test_an_extended_call_moves_its_reminders(call, draft, applicant_a, manager):
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() + dt.timedelta(hours=20))
    notifications_sweep(enqueue=False)
    first = Notification.objects.get(recipient=applicant_a)
    assert (first.kind, first.offset) == ("call_closing", "-1d")
    from grants.services.calls import call_update

    call.refresh_from_db()
    call_update(call=call, actor=manager, closes_at=call.closes_at + dt.timedelta(days=5))
    notifications_sweep(enqueue=False)
    first.refresh_from_db()
    assert first.state == "cancelled"
    moved = Notification.objects.get(recipient=applicant_a, state="pending")
    assert moved.offset == "-7d" and moved.deadline_at == Call.objects.get(pk=call.pk).closes_at


def test_offsets_land_on_the_same_local_time_across_a_clock_change():
    # Deadline Monday 29 March 2027 12:00 in Belgrade (CEST, UTC+2); the day before is the
    # day clocks go forward, so "1 day before" is 10:00 UTC on the 28th, not 11:00.
    deadline = dt.datetime(2027, 3, 29, 10, 0, tzinfo=dt.UTC)
    assert offset_moment(deadline, "Europe/Belgrade", -1) == dt.datetime(
        2027, 3, 28, 10, 0, tzinfo=dt.UTC
    )
    assert offset_moment(deadline, "Europe/Belgrade", -2) == dt.datetime(
        2027, 3, 27, 11, 0, tzinfo=dt.UTC
    )


def test_a_row_stuck_after_a_crash_is_sent_once(
    report, applicant_a, django_capture_on_commit_callbacks, mailoutbox
):
    notifications_sweep(enqueue=False)
    row = Notification.objects.get()
    # A worker claimed it and died before sending.
    Notification.objects.filter(pk=row.pk).update(
        state="sending", claimed_at=timezone.now(), attempts=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        notifications_sweep()  # too early to call it stuck
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        result = notifications_sweep(now=timezone.now() + dt.timedelta(minutes=11))
    assert result.requeued == 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 2)
    assert len(mailoutbox) == 1
    assert tasks.notification_send.run(row.pk) == "skipped"  # a late duplicate does nothing
    assert len(mailoutbox) == 1


def test_nothing_is_lost_while_the_broker_is_down(
    report, applicant_a, monkeypatch, django_capture_on_commit_callbacks, mailoutbox
):
    def unreachable(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(tasks.notification_send, "delay", unreachable)
        with django_capture_on_commit_callbacks(execute=True):
            notifications_sweep()
    assert list(Notification.objects.values_list("state", flat=True)) == ["pending"]
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        notifications_sweep()  # the broker is back
    assert list(Notification.objects.values_list("state", flat=True)) == ["sent"]
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_insert_one_notification(call, draft, applicant_a, manager):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() + dt.timedelta(hours=20))
    barrier = threading.Barrier(2)
    errors = []

    def sweep():
        from django.db import connection as thread_connection

        barrier.wait()
        try:
            notifications_sweep(enqueue=False)
        except Exception as exc:  # the test fails below if either sweep fails
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Notification.objects.filter(recipient=applicant_a).count() == 1


def test_operators_see_the_outbox_and_nobody_else_does(report, admin_client, client, applicant_a):
    notifications_sweep(enqueue=False)
    response = admin_client.get("/admin/workflows/notification/?state=pending")
    assert response.status_code == 200 and "report_due" in response.content.decode()
    client.force_login(applicant_a)
    assert client.get("/admin/workflows/notification/").status_code == 302


def test_the_inbox_shows_unread_reminders_and_opens_the_page(
    report, client, applicant_a, applicant_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notifications_sweep()
    notification = Notification.objects.get(recipient=applicant_a)
    client.force_login(applicant_b)
    assert client.post(f"/inbox/{notification.pk}/open/").status_code == 404
    assert "Due in" not in client.get("/inbox/").content.decode()

    client.force_login(applicant_a)
    page = client.get("/inbox/").content.decode()
    assert notification.subject in page and "1 unread" in page
    response = client.post(f"/inbox/{notification.pk}/open/")
    assert response["Location"] == f"/grants/{report.grant_id}/reports/{report.pk}/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "1 unread" not in client.get("/inbox/").content.decode()


def test_operators_can_send_failed_notifications_again(report, admin_client, client, applicant_a):
    notifications_sweep(enqueue=False)
    row = Notification.objects.get()
    Notification.objects.filter(pk=row.pk).update(
        state="failed", error="SMTPServerDisconnected('Connection unexpectedly closed')\n..."
    )
    listing = admin_client.get("/admin/workflows/notification/?state=failed").content.decode()
    assert "SMTPServerDisconnected" in listing
    client.force_login(applicant_a)
    payload = {"action": "retry", "_selected_action": [row.pk]}
    client.post("/admin/workflows/notification/", payload)
    assert Notification.objects.get(pk=row.pk).state == "failed"  # not an operator
    response = admin_client.post("/admin/workflows/notification/", payload)
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.state, row.queued_at) == ("pending", None)


def test_a_failing_mail_server_is_retried_and_then_recorded_as_failed(
    report, applicant_a, monkeypatch, mailoutbox
):
    from smtplib import SMTPServerDisconnected

    from django.core.mail import EmailMultiAlternatives

    notifications_sweep(enqueue=False)
    row = Notification.objects.get()
    real_send = EmailMultiAlternatives.send
    failures = {"left": 2}

    def flaky(self, *args, **kwargs):
        if failures["left"]:
            failures["left"] -= 1
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky)
    # Eager retries run one after the other in apply(); they must not raise out of it.
    monkeypatch.setitem(tasks.notification_send.app.conf, "task_eager_propagates", False)
    tasks.notification_send.apply(args=[row.pk])  # eager: the retries run here
    row.refresh_from_db()
    assert (row.state, row.attempts, len(mailoutbox)) == ("sent", 3, 1)

    Notification.objects.filter(pk=row.pk).update(state="pending", attempts=0)
    failures["left"] = 99
    tasks.notification_send.apply(args=[row.pk])
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("failed", 6)  # the first try and five retries
    assert "SMTPServerDisconnected" in row.error
    assert len(mailoutbox) == 1
