"""After submission: the read-only page, its history, a clarification answered, a withdrawal."""

import datetime as dt

from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from applications.services.screening import application_request_clarification, application_screen
from workflows.models import TransitionLog


def ask(application, manager, question="Please send the budget breakdown per municipality."):
    return application_request_clarification(
        application=application,
        actor=manager,
        question=question,
        response_due_at=timezone.now() + dt.timedelta(days=5),
    )


def test_it_shows_the_submitted_application_read_only(client_for, colleague_a, submitted):
    body = (
        client_for(colleague_a)
        .get(reverse("application-detail", args=[submitted.pk]))
        .content.decode()
    )
    assert submitted.reference in body
    assert "Submitted" in body
    assert "A clear and complete answer." in body
    assert "Workshops in three municipalities" in body
    assert "9,000.00 EUR" in body
    assert "Co-financing: 10.00 % of the total." in body
    assert "<textarea" not in body  # nothing to edit


def test_it_shows_the_history_with_public_state_names(client_for, applicant_a, submitted):
    body = (
        client_for(applicant_a)
        .get(reverse("application-detail", args=[submitted.pk]))
        .content.decode()
    )
    history = body[body.index('id="history-heading"') :]
    assert "Draft → Submitted" in history
    assert applicant_a.display_name in history
    assert "(Europe/Belgrade)" in history


def test_it_names_staff_as_the_programme_team_and_hides_internal_steps(
    client_for, applicant_a, manager, submitted
):
    application_screen(application=submitted, actor=manager, eligible=True)
    body = (
        client_for(applicant_a)
        .get(reverse("application-detail", args=[submitted.pk]))
        .content.decode()
    )
    history = body[body.index('id="history-heading"') :]
    assert "Submitted → Under review" in history
    assert "Programme team" in history
    assert manager.display_name not in history
    assert "eligible" not in history.lower().replace("not eligible", "")


def test_it_asks_for_and_sends_the_clarification(
    client_for, applicant_a, manager, submitted, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(submitted, manager)
    client = client_for(applicant_a)
    body = client.get(reverse("application-detail", args=[submitted.pk])).content.decode()
    assert "Please send the budget breakdown per municipality." in body
    assert "Please answer by" in body
    assert "(Europe/Belgrade)" in body
    (notice,) = [m for m in mail.outbox if "clarification" in m.body]
    assert "Please send the budget breakdown" in notice.body

    response = client.post(
        reverse("application-clarify", args=[submitted.pk]),
        {"answer": "Novi Sad 4,000; Subotica 3,000; Sombor 2,000."},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == Application.State.SUBMITTED
    clarification = submitted.clarifications.get()
    assert clarification.answer.startswith("Novi Sad")
    assert clarification.answered_by == applicant_a


def test_it_asks_again_for_an_empty_clarification_answer(
    client_for, applicant_a, manager, submitted
):
    ask(submitted, manager)
    response = client_for(applicant_a).post(
        reverse("application-clarify", args=[submitted.pk]), {"answer": "  "}
    )
    assert response.status_code == 400
    assert 'id="id_answer_error"' in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == Application.State.CLARIFICATION_REQUESTED


def test_it_withdraws_after_confirmation(client_for, applicant_a, submitted):
    client = client_for(applicant_a)
    confirm = client.get(reverse("application-withdraw", args=[submitted.pk]))
    assert "Withdraw the application?" in confirm.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == Application.State.SUBMITTED  # asking changes nothing

    response = client.post(
        reverse("application-withdraw", args=[submitted.pk]), {"comment": "Partner pulled out."}
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == Application.State.WITHDRAWN
    log = TransitionLog.objects.for_object(submitted).get(transition="withdraw")
    assert log.actor == applicant_a
    body = client.get(reverse("application-detail", args=[submitted.pk])).content.decode()
    assert "Submitted → Withdrawn" in body
    assert "Partner pulled out." in body
    assert "Withdraw the application…" not in body


def test_it_renders_the_event_mail_for_each_event(submitted, manager):
    ask(submitted, manager)
    submitted.refresh_from_db()
    submitted.title = "Roma & youth's voices"
    for event in ("clarification_requested", "mark_eligible", "mark_ineligible", "other"):
        text = render_to_string(
            "applications/email/event.txt",
            {
                "application": submitted,
                "event": event,
                "clarification": submitted.clarifications.first(),
                "site_url": "https://regrant.example.org",
            },
        )
        assert submitted.reference in text
        assert f"https://regrant.example.org/applications/{submitted.pk}/" in text
        assert "Roma & youth's voices" in text  # plain text, not HTML-escaped
