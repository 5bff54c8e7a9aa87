"""The application editor: autosave with optimistic concurrency, and the form without JavaScript."""

from decimal import Decimal

import pytest
from django.urls import reverse

from applications.models import Answer, BudgetLine
from tests.samples import HTMX


@pytest.fixture
def summary(call):
    return call.questions.get(label="Project summary")


@pytest.fixture
def participants(call):
    return call.questions.get(label="Number of participants")


def form_data(application, summary, participants, **overrides):
    data = {
        "version": application.version,
        "title": application.title,
        f"q-{summary.pk}": "We will train forty volunteers.",
        f"q-{participants.pk}": "40",
        "budget": "1",
        "budget-0-category": "activities",
        "budget-0-description": "Workshops in three municipalities",
        "budget-0-amount_requested": "9000.00",
        "budget-0-own_contribution": "1000.00",
    }
    data.update(overrides)
    return data


def test_it_shows_every_question_by_its_kind(client_for, applicant_a, draft, summary, participants):
    body = (
        client_for(applicant_a).get(reverse("application-edit", args=[draft.pk])).content.decode()
    )
    assert (
        f'<textarea id="q-{summary.pk}" name="q-{summary.pk}" rows="6" data-max-length="500"'
        in body
    )
    assert f'id="q-{summary.pk}-count"' in body
    assert f'inputmode="decimal" id="q-{participants.pk}"' in body
    assert "Upload it under Attachments" in body  # the file question
    assert 'hx-trigger="input delay:800ms, change"' in body
    assert f'name="version" id="version" value="{draft.version}"' in body


def test_it_autosaves_and_answers_with_the_new_version(
    client_for, applicant_a, draft, summary, participants
):
    data = form_data(draft, summary, participants, **{f"q-{summary.pk}": "Autosaved text"})
    response = client_for(applicant_a).post(
        reverse("application-autosave", args=[draft.pk]), data, **HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Saved at" in body
    draft.refresh_from_db()
    assert f'id="version" value="{draft.version}" hx-swap-oob="true"' in body
    assert 'id="checklist"' in body
    assert Answer.objects.get(application=draft, question=summary).value == "Autosaved text"


def test_it_refuses_the_second_of_two_concurrent_autosaves(
    browser_for, applicant_a, colleague_a, draft, summary, participants
):
    ana, marko = browser_for(applicant_a), browser_for(colleague_a)
    edit = reverse("application-edit", args=[draft.pk])
    autosave = reverse("application-autosave", args=[draft.pk])
    # Both open the editor on the same version.
    assert ana.get(edit).context["version"] == marko.get(edit).context["version"] == draft.version

    first = ana.post(
        autosave,
        form_data(draft, summary, participants, **{f"q-{summary.pk}": "Ana's summary"}),
        **HTMX,
    )
    second = marko.post(
        autosave,
        form_data(draft, summary, participants, **{f"q-{summary.pk}": "Marko's summary"}),
        **HTMX,
    )

    assert first.status_code == 200
    assert second.status_code == 409
    body = second.content.decode()
    assert "someone else changed this application" in body
    assert applicant_a.display_name in body
    assert "(Europe/Belgrade)" in body
    assert "Your text is still in the form." in body
    assert "Reload this page" in body
    # The form is not touched: no new version, no swap of the fields.
    assert "hx-swap-oob" not in body
    assert "Marko&#x27;s summary" not in body
    assert Answer.objects.get(application=draft, question=summary).value == "Ana's summary"


def test_it_keeps_what_was_typed_when_a_plain_save_conflicts(
    browser_for, applicant_a, colleague_a, draft, summary, participants
):
    stale = draft.version
    ana, marko = browser_for(applicant_a), browser_for(colleague_a)
    ana.post(
        reverse("application-autosave", args=[draft.pk]),
        form_data(draft, summary, participants, **{f"q-{summary.pk}": "Ana's summary"}),
        **HTMX,
    )
    response = marko.post(
        reverse("application-edit", args=[draft.pk]),
        form_data(
            draft,
            summary,
            participants,
            version=stale,
            **{f"q-{summary.pk}": "Marko's long paragraph"},
        ),
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Marko&#x27;s long paragraph</textarea>" in body
    assert f'id="version" value="{stale}"' in body
    assert Answer.objects.get(application=draft, question=summary).value == "Ana's summary"


def test_it_saves_the_draft_without_javascript(
    client_for, applicant_a, draft, summary, participants
):
    data = form_data(
        draft,
        summary,
        participants,
        **{
            "title": "Clean rivers",
            "budget-3-category": "travel",
            "budget-3-description": "Bus to Sarajevo",
            "budget-3-amount_requested": "400",
            "budget-3-own_contribution": "",
        },
    )
    response = client_for(applicant_a).post(reverse("application-edit", args=[draft.pk]), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Clean rivers"
    lines = list(draft.budget_lines.values_list("description", "amount_requested"))
    assert lines == [
        ("Workshops in three municipalities", Decimal("9000.00")),
        ("Bus to Sarajevo", Decimal("400.00")),
    ]


def test_it_saves_the_text_even_when_a_budget_amount_does_not_parse(
    client_for, applicant_a, draft, summary, participants
):
    data = form_data(
        draft,
        summary,
        participants,
        **{f"q-{summary.pk}": "Kept text", "budget-0-amount_requested": "9.000,00"},
    )
    response = client_for(applicant_a).post(
        reverse("application-autosave", args=[draft.pk]), data, **HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "except" in body
    assert "Budget line 1: Enter an amount" in body
    assert Answer.objects.get(application=draft, question=summary).value == "Kept text"
    assert BudgetLine.objects.get(application=draft).amount_requested == Decimal("9000.00")


def test_it_marks_a_bad_budget_amount_next_to_its_field_without_javascript(
    client_for, applicant_a, draft, summary, participants
):
    data = form_data(draft, summary, participants, **{"budget-0-own_contribution": "-5"})
    response = client_for(applicant_a).post(reverse("application-edit", args=[draft.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'aria-describedby="budget-0-own_contribution-error"' in body
    assert 'id="budget-0-own_contribution-error"' in body
    assert 'value="-5"' in body


def test_it_removes_a_budget_line_left_out_of_the_form(
    client_for, applicant_a, draft, summary, participants
):
    data = form_data(draft, summary, participants)
    for key in list(data):
        if key.startswith("budget-0-"):
            del data[key]
    client_for(applicant_a).post(reverse("application-autosave", args=[draft.pk]), data, **HTMX)
    assert not draft.budget_lines.exists()


def test_it_updates_the_checklist_after_an_autosave(
    client_for, applicant_a, draft, summary, participants
):
    data = form_data(draft, summary, participants, **{"budget-0-own_contribution": "0"})
    body = (
        client_for(applicant_a)
        .post(reverse("application-autosave", args=[draft.pk]), data, **HTMX)
        .content.decode()
    )
    assert "1 thing still blocks submission" in body
    assert "Co-financing" in body


def test_it_refuses_a_form_without_its_version(
    client_for, applicant_a, draft, summary, participants
):
    data = form_data(draft, summary, participants)
    del data["version"]
    response = client_for(applicant_a).post(
        reverse("application-autosave", args=[draft.pk]), data, **HTMX
    )
    assert response.status_code == 400


def test_it_shows_the_budget_totals_and_the_rules(client_for, applicant_a, draft):
    body = (
        client_for(applicant_a).get(reverse("application-edit", args=[draft.pk])).content.decode()
    )
    assert 'id="sum-requested">9,000.00 EUR' in body
    assert 'id="sum-total">10,000.00 EUR' in body
    assert 'id="summary-cofinancing">10.00 %' in body
    assert 'data-min="5000.00" data-max="20000.00"' in body
    assert 'data-min-cofinancing="10.00"' in body
    assert "Ready to submit." in body


def test_it_sends_a_submitted_application_from_the_editor_to_its_page(
    client_for, applicant_a, submitted
):
    response = client_for(applicant_a).get(reverse("application-edit", args=[submitted.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("application-detail", args=[submitted.pk])


def test_it_offers_choices_and_dates_and_saves_them(client_for, applicant_a, draft, call):
    from tests import factories as f

    theme = f.CallQuestionFactory(
        call=call, label="Theme", kind="choice", choices=["Environment", "Youth"], order=4
    )
    start = f.CallQuestionFactory(call=call, label="Start date", kind="date", order=5)
    client = client_for(applicant_a)
    body = client.get(reverse("application-edit", args=[draft.pk])).content.decode()
    assert f'<select id="q-{theme.pk}" name="q-{theme.pk}"' in body
    assert '<option value="Youth">Youth</option>' in body
    assert f'<input type="date" id="q-{start.pk}"' in body

    client.post(
        reverse("application-autosave", args=[draft.pk]),
        {"version": draft.version, f"q-{theme.pk}": "Youth", f"q-{start.pk}": "2027-03-01"},
        **HTMX,
    )
    body = client.get(reverse("application-edit", args=[draft.pk])).content.decode()
    assert '<option value="Youth" selected>Youth</option>' in body
    assert 'value="2027-03-01"' in body
