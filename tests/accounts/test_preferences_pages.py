"""Pages follow the signed-in person's language and time zone, whatever the browser says."""

import datetime as dt

from django.utils import timezone

from workflows.models import Notification


def _reminder(user):
    return Notification.objects.create(
        recipient=user,
        kind=Notification.Kind.REPORT_DUE,
        deadline_key="report:1",
        deadline_at=dt.datetime(2027, 1, 15, 22, 59, tzinfo=dt.UTC),
        offset="-7d",
        due_at=dt.datetime(2027, 1, 15, 12, 0, tzinfo=dt.UTC),
        subject="Due in 7 days: Interim report 1",
        body="",
        state="sent",
        sent_at=timezone.now(),
    )


def test_the_inbox_shows_times_in_the_users_zone(client_for, applicant_a, applicant_b):
    _reminder(applicant_a)
    applicant_a.timezone = "America/New_York"
    applicant_a.save()
    assert "15 Jan 2027, 07:00 EST" in client_for(applicant_a).get("/inbox/").content.decode()
    _reminder(applicant_b)  # Europe/Belgrade, the default
    assert "15 Jan 2027, 13:00 CET" in client_for(applicant_b).get("/inbox/").content.decode()


def test_the_users_language_wins_over_the_browsers(client_for, applicant_a):
    applicant_a.language = "sr-latn"
    applicant_a.save()
    response = client_for(applicant_a).get("/inbox/", HTTP_ACCEPT_LANGUAGE="en-GB")
    assert response["Content-Language"] == "sr-latn"


def test_anonymous_visitors_keep_the_browsers_language(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="sq")
    assert response["Content-Language"] == "sq"
