"""The inbox over the API: your own notifications only; someone else's are 404."""

import datetime as dt

import pytest
from django.utils import timezone

from workflows.models import Notification


def _row(user, *, state="sent", minutes=0, kind=Notification.Kind.REPORT_DUE):
    return Notification.objects.create(
        recipient=user,
        kind=kind,
        deadline_key=f"report:{minutes}",
        deadline_at=timezone.now(),
        offset="-7d",
        due_at=timezone.now() - dt.timedelta(minutes=minutes),
        subject=f"Due in 7 days: report {minutes}",
        body="",
        url="/grants/1/reports/1/",
        state=state,
    )


@pytest.fixture
def rows(applicant_a, applicant_b):
    return {
        "newer": _row(applicant_a, minutes=1),
        "older": _row(applicant_a, minutes=5, state="digest"),
        "pending": _row(applicant_a, minutes=2, state="pending"),  # not news yet
        "theirs": _row(applicant_b, minutes=3),
    }


def test_you_list_your_own_news_newest_first(api_for, applicant_a, rows):
    response = api_for(applicant_a).get("/api/v1/notifications/")
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [rows["newer"].pk, rows["older"].pk]
    first = response.json()["results"][0]
    assert first["url"] == "/grants/1/reports/1/" and first["is_reminder"] is True


def test_mark_one_read_then_all(api_for, applicant_a, rows):
    client = api_for(applicant_a)
    response = client.post(f"/api/v1/notifications/{rows['newer'].pk}/read/")
    assert response.status_code == 200 and response.json()["read_at"]
    unread = client.get("/api/v1/notifications/?unread=true").json()["results"]
    assert [r["id"] for r in unread] == [rows["older"].pk]
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert client.get("/api/v1/notifications/?unread=true").json()["results"] == []
    rows["theirs"].refresh_from_db()
    assert rows["theirs"].read_at is None  # only yours


def test_someone_elses_notification_is_404(api_for, applicant_a, rows):
    client = api_for(applicant_a)
    assert client.get(f"/api/v1/notifications/{rows['theirs'].pk}/").status_code == 404
    assert client.post(f"/api/v1/notifications/{rows['theirs'].pk}/read/").status_code == 404
    rows["theirs"].refresh_from_db()
    assert rows["theirs"].read_at is None


def test_anonymous_gets_401(client, rows):
    assert client.get("/api/v1/notifications/").status_code == 401
    assert client.post("/api/v1/notifications/read-all/").status_code == 401
