"""Screening one application: the answers, the automatic eligibility checklist, and the
manager's decision (eligible, ineligible with a reason, or a clarification request)."""

import datetime as dt

import time_machine
from django.core import mail
from django.urls import reverse

from applications.models import Application
from grants.models import CallQuestion
from tests import factories as f
from workflows.models import TransitionLog


def page(client, application):
    return client.get(reverse("manage-application", args=[application.pk]))


def screen(client, application, **data):
    return client.post(reverse("manage-application-screen", args=[application.pk]), data)


def test_it_shows_the_application_to_screen(client_for, manager, submitted):
    f.PartnerFactory(application=submitted, organisation__legal_name="Mostar Youth Centre")
    html = page(client_for(manager), submitted).content.decode()
    assert submitted.reference in html
    assert "Project summary" in html and "A clear and complete answer." in html
    assert "Workshops in three municipalities" in html
    assert "9,000.00 EUR" in html and "10,000.00 EUR" in html
    assert "Mostar Youth Centre" in html
    assert "Mark eligible" in html and "Mark ineligible" in html
    assert "Request clarification" in html


def test_it_precomputes_the_eligibility_checklist(client_for, manager, call, submitted):
    response = page(client_for(manager), submitted)
    checks = {check.key: check.passed for check in response.context["checks"]}
    assert checks == {
        "country": True,
        "org_type": True,
        "budget_lines": True,
        "amount": True,
        "cofinancing": True,
        "questions": True,
        "documents": True,
    }
    assert "Every automatic check passes." in response.content.decode()


def test_it_shows_the_checks_that_fail(client_for, manager, call, submitted):
    # The rules changed after submission (e.g. by an operator): the checklist shows it.
    call.eligible_countries = ["AL"]
    call.save()
    CallQuestion.objects.filter(call=call, kind="file").update(required=True)
    response = page(client_for(manager), submitted)
    failed = {check.key for check in response.context["checks"] if not check.passed}
    assert failed == {"country", "documents"}
    html = response.content.decode()
    assert "2 automatic checks fail." in html
    assert "Registered in Serbia; the call accepts AL." in html


def test_it_links_attachments_to_the_access_checked_download(client_for, manager, submitted):
    attachment = submitted.attachments.create(
        file="attachments/x/abc.pdf",
        original_name="statute.pdf",
        content_type="application/pdf",
        size=1234,
        question=submitted.call.questions.get(kind="file"),
    )
    html = page(client_for(manager), submitted).content.decode()
    assert "statute.pdf" in html
    try:
        url = reverse("attachment-download", args=[submitted.pk, attachment.pk])
    except Exception:  # the applicant pages' download view is not there yet
        return
    assert url in html


def test_it_marks_an_application_eligible(client_for, manager, submitted):
    client = client_for(manager)
    response = screen(client, submitted, decision="eligible", reason="")
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == Application.State.ELIGIBLE
    assert submitted.screened_by == manager
    assert submitted.public_status == "Under review"
    log = TransitionLog.objects.for_object(submitted).last()
    assert (log.from_state, log.to_state, log.actor) == ("submitted", "eligible", manager)
    html = page(client, submitted).content.decode()
    assert "Mark eligible" not in html  # done: no more screening buttons
    assert "Submitted → Eligible" in html


def test_it_requires_a_reason_to_mark_ineligible(client_for, manager, submitted):
    response = screen(client_for(manager), submitted, decision="ineligible", reason="  ")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say why the application is not eligible." in html
    assert 'aria-invalid="true"' in html
    submitted.refresh_from_db()
    assert submitted.state == Application.State.SUBMITTED


def test_it_marks_an_application_ineligible_with_a_reason(
    client_for, manager, submitted, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = screen(
            client_for(manager), submitted, decision="ineligible", reason="Registered after 2025."
        )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == Application.State.INELIGIBLE
    assert submitted.eligibility_reason == "Registered after 2025."
    assert submitted.public_status == "Not eligible"
    assert TransitionLog.objects.for_object(submitted).last().comment == "Registered after 2025."
    # The applicant organisation is told.
    told = [m for m in mail.outbox if "Eligibility check" in m.subject]
    assert [m.to for m in told] == [["ana@yins.example"]]
    assert "Registered after 2025." in told[0].body


def test_it_reports_a_second_decision_as_a_conflict(client_for, manager, submitted):
    client = client_for(manager)
    screen(client, submitted, decision="eligible")
    response = client.post(
        reverse("manage-application-screen", args=[submitted.pk]),
        {"decision": "ineligible", "reason": "Changed my mind"},
        follow=True,
    )
    assert "cannot be done while it is" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == Application.State.ELIGIBLE


@time_machine.travel(dt.datetime(2027, 3, 20, 10, 0, tzinfo=dt.UTC), tick=False)
def test_it_requests_a_clarification_with_a_deadline_in_the_call_time_zone(
    client_for, manager, submitted
):
    response = client_for(manager).post(
        reverse("manage-application-clarify", args=[submitted.pk]),
        {"question": "Which municipalities exactly?", "response_due_at": "2027-03-29T12:00"},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == Application.State.CLARIFICATION_REQUESTED
    clarification = submitted.clarifications.get()
    assert clarification.question == "Which municipalities exactly?"
    # 29 March 2027 is after the spring change: 12:00 CEST is 10:00 UTC.
    assert clarification.response_due_at == dt.datetime(2027, 3, 29, 10, 0, tzinfo=dt.UTC)
    html = page(client_for(manager), submitted).content.decode()
    assert "Which municipalities exactly?" in html
    assert "Awaiting the applicant" in html
    assert "Submitted → Clarification requested" in html


def test_it_refuses_a_clarification_deadline_in_the_past(client_for, manager, submitted):
    response = client_for(manager).post(
        reverse("manage-application-clarify", args=[submitted.pk]),
        {"question": "Which municipalities?", "response_due_at": "2020-01-01T12:00"},
    )
    assert response.status_code == 400
    assert "must be in the future" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == Application.State.SUBMITTED


def test_it_refuses_a_clarification_without_a_question(client_for, manager, submitted):
    response = client_for(manager).post(
        reverse("manage-application-clarify", args=[submitted.pk]),
        {"question": "", "response_due_at": "2099-01-01T12:00"},
    )
    assert response.status_code == 400
    assert "Write the question for the applicant." in response.content.decode()


def test_it_shows_the_answered_clarification_and_the_whole_history(
    client_for, manager, applicant_a, submitted
):
    from applications.services.screening import (
        application_answer_clarification,
        application_request_clarification,
    )

    application_request_clarification(
        application=submitted,
        actor=manager,
        question="Who are the partners?",
        response_due_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
    )
    application_answer_clarification(
        application=submitted, actor=applicant_a, answer="Two youth centres."
    )
    html = page(client_for(manager), submitted).content.decode()
    assert "Two youth centres." in html
    assert "Draft → Submitted" in html
    assert "Clarification requested → Submitted" in html
    assert "ana@yins.example" in html or applicant_a.display_name in html


def test_the_approver_sees_the_checklist_but_cannot_decide(client_for, approver, submitted):
    client = client_for(approver)
    html = page(client, submitted).content.decode()
    assert "Eligibility checklist" in html
    assert "Mark eligible" not in html
    assert screen(client, submitted, decision="eligible").status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == Application.State.SUBMITTED


def test_it_shows_an_application_in_a_fixed_number_of_queries(
    client_for, manager, applicant_a, submitted, django_assert_num_queries
):
    client = client_for(manager)
    url = reverse("manage-application", args=[submitted.pk])
    f.PartnerFactory(application=submitted)
    client.get(url)
    # session, user, 3 roles, access check, application, its 6 prefetches + partner
    # organisations, clarifications with their authors, history.
    with django_assert_num_queries(18):
        client.get(url)
    for _ in range(4):
        f.PartnerFactory(application=submitted)
        f.BudgetLineFactory(application=submitted, amount_requested=1, own_contribution=1)
    with django_assert_num_queries(18):
        client.get(url)
