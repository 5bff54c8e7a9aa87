"""Event notifications through the outbox, and how each person receives news: e-mail in HTML
and plain text with the link, in their language and time zone, immediately, in a daily digest,
or only in the inbox — except what they are responsible for, which always comes at once."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from kombu.exceptions import OperationalError

from applications.services.applications import application_submit
from applications.services.screening import application_request_clarification, application_screen
from grants.models import Call, Tranche
from grants.services.grants import grant_sign, tranche_approve, tranche_pay
from grants.services.reports import report_approve, report_open, report_request_changes
from tests import factories as f
from workflows import tasks
from workflows.models import Notification
from workflows.notifications import last_digest_moment, notifications_sweep
from workflows.selectors import inbox_of

K = Notification.Kind


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return notifications_sweep(**kwargs)

    return run


@pytest.fixture
def delivered_submission(draft, applicant_a, colleague_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return application_submit(application=draft, actor=applicant_a)


def _html(message) -> str:
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


def test_the_receipt_is_recorded_with_the_submission_and_emailed_in_html_and_text(
    delivered_submission, applicant_a, colleague_a, mailoutbox
):
    rows = Notification.objects.filter(kind=K.APPLICATION_RECEIVED).order_by("recipient__email")
    assert [(r.recipient, r.state, r.offset) for r in rows] == sorted(
        [(applicant_a, "sent", "event"), (colleague_a, "sent", "event")],
        key=lambda t: t[0].email,
    )
    mine = next(m for m in mailoutbox if m.to == [applicant_a.email])
    link = f"http://127.0.0.1:8000/applications/{delivered_submission.pk}/receipt/"
    assert delivered_submission.reference in mine.subject
    assert link in mine.body
    assert f'href="{link}"' in _html(mine)
    assert delivered_submission.reference in _html(mine)


def test_times_are_shown_in_the_recipients_zone(draft, applicant_a, colleague_a, mailoutbox, sweep):
    applicant_a.timezone = "America/New_York"
    applicant_a.save()
    with time_machine.travel(dt.datetime(2027, 1, 15, 14, 30, tzinfo=dt.UTC), tick=False):
        Call.objects.filter(pk=draft.call_id).update(
            opens_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
            closes_at=dt.datetime(2027, 2, 1, tzinfo=dt.UTC),
        )
        application_submit(application=draft, actor=applicant_a)
        sweep()
    bodies = {m.to[0]: m.body for m in mailoutbox}
    assert "15 January 2027, 09:30 EST" in bodies[applicant_a.email]
    assert "15 January 2027, 15:30 CET" in bodies[colleague_a.email]


def test_the_recipients_language_is_used(
    delivered_submission, manager, applicant_a, mailoutbox, sweep
):
    applicant_a.language = "sr-latn"
    applicant_a.save()
    mailoutbox.clear()
    application_screen(application=delivered_submission, actor=manager, eligible=True)
    sweep()
    mine = next(m for m in mailoutbox if m.to == [applicant_a.email])
    others = [m for m in mailoutbox if m.to != [applicant_a.email]]
    assert others and "eligibility check" in others[0].body
    assert "eligibility check" not in mine.body  # in Serbian
    assert mine.body.startswith("Dobar dan,")
    assert '<html lang="sr-latn">' in _html(mine)


def test_an_ineligible_outcome_says_why(
    delivered_submission, manager, applicant_a, mailoutbox, sweep
):
    mailoutbox.clear()
    application_screen(
        application=delivered_submission,
        actor=manager,
        eligible=False,
        reason="Registered in 2026.",
    )
    sweep()
    mine = next(m for m in mailoutbox if m.to == [applicant_a.email])
    assert "did not pass the eligibility check" in mine.body
    assert "Registered in 2026." in mine.body
    row = Notification.objects.get(recipient=applicant_a, kind=K.ELIGIBILITY)
    assert row.url == f"/applications/{delivered_submission.pk}/"


def test_nothing_is_lost_when_the_broker_is_down_at_the_event(
    draft,
    applicant_a,
    colleague_a,
    monkeypatch,
    django_capture_on_commit_callbacks,
    mailoutbox,
    sweep,
):
    def unreachable(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(tasks.notification_send, "delay", unreachable)
        with django_capture_on_commit_callbacks(execute=True):
            application = application_submit(application=draft, actor=applicant_a)
    assert application.state == "submitted"  # the submission stands
    rows = Notification.objects.filter(kind=K.APPLICATION_RECEIVED)
    assert {(r.state, r.queued_at) for r in rows} == {("pending", None)}
    assert mailoutbox == []
    sweep()  # the broker is back: the next sweep hands them over
    assert set(rows.values_list("state", flat=True)) == {"sent"}
    assert len(mailoutbox) == rows.count() == 2


def test_a_queued_row_is_not_enqueued_again_by_every_sweep(
    delivered_submission, sweep, monkeypatch
):
    calls = []
    monkeypatch.setattr(tasks.notification_send, "delay", lambda pk: calls.append(pk))
    Notification.objects.update(state="pending", queued_at=timezone.now())
    sweep()
    assert calls == []  # handed over a moment ago: the worker has it
    sweep(now=timezone.now() + dt.timedelta(minutes=6))
    assert sorted(calls) == sorted(Notification.objects.values_list("pk", flat=True))


class TestPreferences:
    def test_a_digest_reader_gets_news_in_the_inbox_and_one_email_a_day(
        self, draft, applicant_a, colleague_a, manager, mailoutbox, sweep
    ):
        applicant_a.notification_email = "digest"
        applicant_a.digest_hour = 7
        applicant_a.save()
        start = dt.datetime(2027, 1, 15, 10, 0, tzinfo=dt.UTC)  # 11:00 in Belgrade
        Call.objects.filter(pk=draft.call_id).update(
            opens_at=start - dt.timedelta(days=10), closes_at=start + dt.timedelta(days=20)
        )
        with time_machine.travel(start, tick=False):
            application = application_submit(application=draft, actor=applicant_a)
            sweep()
            application_screen(application=application, actor=manager, eligible=True)
            sweep()
        assert [m.to for m in mailoutbox if applicant_a.email in m.to] == []
        assert len([m for m in mailoutbox if colleague_a.email in m.to]) == 2  # immediate
        waiting = Notification.objects.filter(recipient=applicant_a)
        assert set(waiting.values_list("state", flat=True)) == {"digest"}
        assert inbox_of(applicant_a).count() == 2  # already in the inbox

        with time_machine.travel(dt.datetime(2027, 1, 16, 5, 59, tzinfo=dt.UTC), tick=False):
            assert sweep().digests == 0  # 06:59 in Belgrade: not yet
        with time_machine.travel(dt.datetime(2027, 1, 16, 6, 0, tzinfo=dt.UTC), tick=False):
            assert sweep().digests == 1
            assert sweep().digests == 0  # sent once
        [digest] = [m for m in mailoutbox if m.to == [applicant_a.email]]
        assert "2 new items" in digest.subject
        assert application.reference in digest.body
        assert "passed the eligibility check" in digest.body
        assert "http://127.0.0.1:8000/inbox/" in digest.body
        assert "passed the eligibility check" in _html(digest)
        assert set(waiting.values_list("state", flat=True)) == {"sent"}
        assert all(row.emailed_at for row in waiting)

    def test_news_that_came_after_the_digest_hour_waits_for_the_next_day(self):
        belgrade = "Europe/Belgrade"
        before_seven = dt.datetime(2027, 1, 16, 5, 0, tzinfo=dt.UTC)  # 06:00 local
        after_seven = dt.datetime(2027, 1, 16, 7, 0, tzinfo=dt.UTC)  # 08:00 local
        assert last_digest_moment(before_seven, belgrade, 7) == dt.datetime(
            2027, 1, 15, 6, 0, tzinfo=dt.UTC
        )
        assert last_digest_moment(after_seven, belgrade, 7) == dt.datetime(
            2027, 1, 16, 6, 0, tzinfo=dt.UTC
        )
        # Summer time: 07:00 in Belgrade is 05:00 UTC.
        assert last_digest_moment(
            dt.datetime(2027, 7, 1, 12, 0, tzinfo=dt.UTC), belgrade, 7
        ) == dt.datetime(2027, 7, 1, 5, 0, tzinfo=dt.UTC)

    def test_inbox_only_sends_no_email_for_news(self, draft, applicant_a, mailoutbox, sweep):
        applicant_a.notification_email = "none"
        applicant_a.save()
        sweep()
        application_submit(application=draft, actor=applicant_a)
        sweep()
        assert [m for m in mailoutbox if applicant_a.email in m.to] == []
        row = Notification.objects.get(recipient=applicant_a)
        assert (row.state, row.emailed_at) == ("sent", None)
        assert list(inbox_of(applicant_a)) == [row]

    def test_requests_with_a_deadline_are_emailed_at_once_whatever_the_preference(
        self, delivered_submission, applicant_a, manager, mailoutbox, sweep
    ):
        applicant_a.notification_email = "none"
        applicant_a.save()
        mailoutbox.clear()
        application_request_clarification(
            application=delivered_submission,
            actor=manager,
            question="Please attach the partnership letter.",
            response_due_at=timezone.now() + dt.timedelta(days=5),
        )
        sweep()
        mine = next(m for m in mailoutbox if m.to == [applicant_a.email])
        assert "Please attach the partnership letter." in mine.body
        assert Notification.objects.get(
            recipient=applicant_a, kind=K.CLARIFICATION_REQUESTED
        ).urgent

    def test_deadline_reminders_cannot_be_switched_off(
        self, call, draft, applicant_a, mailoutbox, sweep
    ):
        applicant_a.notification_email = "none"
        applicant_a.save()
        Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() + dt.timedelta(hours=20))
        sweep()
        [mine] = [m for m in mailoutbox if m.to == [applicant_a.email]]
        assert "Due in 1 day" in mine.subject
        # Straight to the draft that is not submitted yet.
        assert f"http://127.0.0.1:8000/applications/{draft.pk}/edit/" in mine.body

    def test_with_several_drafts_the_reminder_leads_to_the_dashboard(
        self, call, draft, org_a, applicant_a, sweep
    ):
        from tests import factories as f

        f.complete_application(call=call, organisation=org_a, created_by=applicant_a)
        Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() + dt.timedelta(hours=20))
        sweep()
        assert Notification.objects.get(recipient=applicant_a).url == "/dashboard/"

    def test_a_deactivated_account_gets_nothing_by_email(
        self, draft, applicant_a, colleague_a, mailoutbox, sweep
    ):
        colleague_a.is_active = False
        colleague_a.save()
        application_submit(application=draft, actor=applicant_a)
        sweep()
        assert [m.to for m in mailoutbox] == [[applicant_a.email]]


@pytest.fixture
def grant_of_delivered_submission(delivered_submission, manager):
    return f.grant_from(delivered_submission, manager=manager)


class TestAfterAward:
    def test_changes_requested_and_report_approved_reach_the_grantee(
        self, grant_of_delivered_submission, manager, applicant_a, mailoutbox, sweep
    ):
        report = grant_of_delivered_submission.reports.order_by("number").first()
        report_open(report=report, actor=manager)
        from grants.models import Report

        Report.objects.filter(pk=report.pk).update(state=Report.State.SUBMITTED)
        mailoutbox.clear()
        report_request_changes(
            report=report, actor=manager, comments={"narrative": "Add the photos."}
        )
        sweep()
        mine = next(m for m in mailoutbox if m.to == [applicant_a.email])
        assert "Changes requested" in mine.subject
        assert f"/grants/{grant_of_delivered_submission.pk}/reports/{report.pk}/" in mine.body

        Report.objects.filter(pk=report.pk).update(state=Report.State.SUBMITTED)
        mailoutbox.clear()
        report_approve(report=report, actor=manager)
        sweep()
        mine = next(m for m in mailoutbox if m.to == [applicant_a.email])
        assert "Report approved" in mine.subject

    def test_tranche_reminders_go_to_the_approver_and_a_payment_to_the_grantee(
        self, grant_of_delivered_submission, manager, approver, applicant_a, mailoutbox, sweep
    ):
        grant_sign(grant=grant_of_delivered_submission, actor=applicant_a)
        tranche = grant_of_delivered_submission.tranches.get(number=1)
        assert tranche.state == Tranche.State.DUE
        mailoutbox.clear()
        sweep()  # "when due": the approver (the approver role takes it, not the managers)
        rows = Notification.objects.filter(kind=K.TRANCHE_DUE)
        assert [(r.recipient, r.offset, r.state) for r in rows] == [(approver, "+0d", "sent")]
        assert "waits for your approval" in mailoutbox[0].subject
        sweep(now=timezone.now() + dt.timedelta(days=3, minutes=1))  # 3 days after
        assert sorted(rows.values_list("offset", flat=True)) == ["+0d", "+3d"]

        tranche_approve(tranche=tranche, actor=approver)
        sweep()
        payment = rows.filter(deadline_key=f"tranche:{tranche.pk}:payment")
        assert [(r.recipient, r.offset) for r in payment] == [(approver, "+0d")]
        assert "waits for payment" in payment.get().subject

        mailoutbox.clear()
        tranche_pay(tranche=tranche, actor=approver, paid_on=timezone.localdate(), reference="TX-9")
        sweep()
        mine = next(m for m in mailoutbox if m.to == [applicant_a.email])
        assert "Tranche 1 paid" in mine.subject
        assert "TX-9" in mine.body and "7,200.00 EUR" in mine.body
        sweep()
        assert not rows.filter(state="pending").exists()

    def test_whoever_made_a_tranche_due_is_not_asked_to_approve_it(
        self, grant_of_delivered_submission, manager, approver, sweep
    ):
        from grants.models import ProgrammeRole
        from grants.services.grants import tranche_make_due

        ProgrammeRole.objects.filter(user=approver).delete()  # no approvers: the managers
        tranche = grant_of_delivered_submission.tranches.get(number=2)
        Tranche.objects.filter(pk=tranche.pk).update(trigger=Tranche.Trigger.MANUAL)
        tranche_make_due(tranche=tranche, actor=manager)
        sweep()
        assert not Notification.objects.filter(kind=K.TRANCHE_DUE).exists()


class TestOffsets:
    def test_a_call_can_change_when_its_reminders_go(
        self, call, draft, applicant_a, mailoutbox, sweep
    ):
        Call.objects.filter(pk=call.pk).update(
            closes_at=timezone.now() + dt.timedelta(days=9, hours=12),
            reminder_offsets={"call_closing": [[-10, "owner"], [-3, "owner"]]},
        )
        sweep()
        assert list(Notification.objects.values_list("kind", "offset")) == [
            ("call_closing", "-10d")
        ]

    def test_the_programme_sets_them_for_its_calls_and_grants(
        self, programme, call, draft, applicant_a, sweep
    ):
        programme.reminder_offsets = {"call_closing": [[-5, "owner"]]}
        programme.save()
        Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() + dt.timedelta(days=6))
        sweep()
        assert not Notification.objects.exists()  # the default 7-day one is gone
        sweep(now=timezone.now() + dt.timedelta(days=1, minutes=1))
        assert list(Notification.objects.values_list("offset", flat=True)) == ["-5d"]

    def test_overdue_reviews_reach_the_manager_with_the_managers_page(
        self, delivered_submission, call, reviewer, manager, sweep
    ):
        from applications.models import ReviewAssignment

        assignment = ReviewAssignment.objects.create(
            application=delivered_submission,
            reviewer=reviewer,
            due_at=timezone.now() - dt.timedelta(days=3, minutes=5),
        )
        Notification.objects.all().delete()
        sweep()
        rows = {r.recipient: r for r in Notification.objects.filter(kind=K.REVIEW_DUE)}
        assert rows[reviewer].offset == "+1d"
        assert rows[reviewer].url == f"/review/assignments/{assignment.pk}/"
        assert rows[manager].offset == "+3d"
        assert rows[manager].url == f"/manage/review/calls/{call.pk}/"
        assert rows[manager].subject.startswith("Overdue by 3 days: review of")
