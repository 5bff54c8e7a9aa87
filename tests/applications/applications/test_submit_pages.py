"""Submitting from the page: refusals keep the draft, a double click submits once."""

import datetime as dt
import re
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.models import Answer, Application
from grants.models import Call
from workflows.models import TransitionLog


def snapshot(application: Application) -> dict:
    application.refresh_from_db()
    return {
        "state": application.state,
        "title": application.title,
        "version": application.version,
        "answers": sorted(
            Answer.objects.filter(application=application).values_list("question_id", "value")
        ),
        "budget": sorted(
            application.budget_lines.values_list(
                "description", "amount_requested", "own_contribution"
            )
        ),
    }


def submit_logs(application: Application) -> int:
    return TransitionLog.objects.for_object(application).filter(transition="submit").count()


def test_it_submits_and_shows_the_receipt(
    client_for, applicant_a, draft, django_capture_on_commit_callbacks
):
    client = client_for(applicant_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("application-submit", args=[draft.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("application-receipt", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.state == Application.State.SUBMITTED

    body = client.get(response["Location"]).content.decode()
    assert draft.reference in body
    assert "(Europe/Belgrade)" in body
    assert draft.title in body
    assert draft.call.title in body
    assert "9,000.00 EUR" in body
    # The e-mail receipt went to the members.
    (receipt,) = mail.outbox
    assert draft.reference in receipt.body
    # In the member's time zone (Europe/Belgrade here), with its abbreviation.
    assert re.search(r"\d{2}:\d{2} CES?T", receipt.body)
    assert f"/applications/{draft.pk}/receipt/" in receipt.body


def test_it_refuses_a_submit_after_the_close_and_keeps_the_draft(client_for, applicant_a, draft):
    Call.objects.filter(pk=draft.call_id).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    before = snapshot(draft)
    response = client_for(applicant_a).post(reverse("application-submit", args=[draft.pk]))
    assert response.status_code == 409
    body = response.content.decode()
    assert "submissions are no longer accepted" in body
    assert "Your draft is kept" in body
    assert draft.title in body
    assert "A clear and complete answer.</textarea>" in body
    assert snapshot(draft) == before
    assert submit_logs(draft) == 0


def test_it_keeps_what_was_typed_when_a_late_submit_is_refused(
    client_for, applicant_a, draft, call
):
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    summary = call.questions.get(label="Project summary")
    response = client_for(applicant_a).post(
        reverse("application-submit", args=[draft.pk]),
        {"version": draft.version, "title": draft.title, f"q-{summary.pk}": "Last-minute edit"},
    )
    assert response.status_code == 409
    assert "Last-minute edit</textarea>" in response.content.decode()
    assert Answer.objects.get(application=draft, question=summary).value == "Last-minute edit"
    draft.refresh_from_db()
    assert draft.state == Application.State.DRAFT


def test_it_lists_every_problem_at_once(client_for, applicant_a, draft, call):
    draft.budget_lines.all().delete()
    Answer.objects.filter(application=draft).delete()
    response = client_for(applicant_a).post(reverse("application-submit", args=[draft.pk]))
    assert response.status_code == 400
    body = response.content.decode()
    assert "cannot be submitted yet" in body
    for problem in [
        "Add at least one budget line.",
        "Answer “Project summary”.",
        "Answer “Number of participants”.",
        "the call allows 5,000.00 EUR to 20,000.00 EUR",
    ]:
        assert problem in body, problem
    assert snapshot(draft)["state"] == Application.State.DRAFT


def test_it_submits_once_on_a_double_click(client_for, applicant_a, draft, call):
    summary = call.questions.get(label="Project summary")
    data = {"version": draft.version, "title": draft.title, f"q-{summary.pk}": "Final text"}
    client = client_for(applicant_a)
    first = client.post(reverse("application-submit", args=[draft.pk]), data)
    second = client.post(reverse("application-submit", args=[draft.pk]), data)
    receipt = reverse("application-receipt", args=[draft.pk])
    assert first["Location"] == receipt
    assert second["Location"] == receipt
    assert submit_logs(draft) == 1
    draft.refresh_from_db()
    assert draft.state == Application.State.SUBMITTED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_submits_once_when_two_members_click_at_the_same_moment(applicant_a, colleague_a, draft):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    barrier = threading.Barrier(2)
    answers = []

    def click(user):
        client = Client()
        client.force_login(user)
        barrier.wait()
        answers.append(client.post(reverse("application-submit", args=[draft.pk])))
        connection.close()

    threads = [threading.Thread(target=click, args=(u,)) for u in (applicant_a, colleague_a)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [302, 302]
    assert submit_logs(draft) == 1


def test_it_sends_a_submit_on_a_submitted_application_to_the_receipt(
    client_for, colleague_a, submitted
):
    response = client_for(colleague_a).post(reverse("application-submit", args=[submitted.pk]))
    assert response["Location"] == reverse("application-receipt", args=[submitted.pk])
    assert submit_logs(submitted) == 1


def test_it_does_not_submit_over_a_colleagues_newer_save(
    browser_for, applicant_a, colleague_a, draft, call
):
    summary = call.questions.get(label="Project summary")
    stale = draft.version
    browser_for(applicant_a).post(
        reverse("application-autosave", args=[draft.pk]),
        {"version": stale, f"q-{summary.pk}": "Ana's version"},
        HTTP_HX_REQUEST="true",
    )
    response = browser_for(colleague_a).post(
        reverse("application-submit", args=[draft.pk]),
        {"version": stale, f"q-{summary.pk}": "Marko's version"},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Not submitted" in body
    assert "Marko&#x27;s version</textarea>" in body
    assert submit_logs(draft) == 0


def test_it_shows_the_receipt_only_after_submission(client_for, applicant_a, draft):
    response = client_for(applicant_a).get(reverse("application-receipt", args=[draft.pk]))
    assert response["Location"] == reverse("application-edit", args=[draft.pk])
