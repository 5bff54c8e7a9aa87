"""The report editor: autosave with a version, submission listing every problem, the
manager's comments at their section, attachments, read-only once submitted."""

from decimal import Decimal

import pytest
from django.urls import reverse

from grants.models import ExchangeRate, FinancialLine, IndicatorValue, Report
from grants.services.reports import report_request_changes, report_save, report_submit
from tests.web.conftest import HTMX, pdf


def form(report, indicator, *, answers=("Done.", "Nothing.", "More."), spent="4000", value="47"):
    line = report.grant.budget_lines.get()
    data = {"version": report.version, "currency": "EUR", f"spent-{line.pk}": spent}
    data.update({f"q-{i}": a for i, a in enumerate(answers)})
    data[f"ind-{indicator.pk}"] = value
    return data


def url(name, report):
    return reverse(name, args=[report.grant_id, report.pk])


def test_it_shows_the_questions_statement_and_indicators(client_for, interim, applicant_a):
    body = client_for(applicant_a).get(url("grantee-report", interim)).content.decode()
    for question in interim.grant.programme.report_questions:
        assert question in body
    assert "Financial statement" in body and "9,000.00 EUR" in body
    assert "CSO representatives trained" in body and "50" in body
    assert 'hx-post="' + url("grantee-report-autosave", interim) in body


def test_it_autosaves_and_moves_the_version(client_for, interim, applicant_a, indicator):
    response = client_for(applicant_a).post(
        url("grantee-report-autosave", interim), form(interim, indicator), **HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Saved at" in body
    assert 'id="version" value="2" hx-swap-oob="true"' in body
    assert "5,000.00 EUR" in body  # remaining on the line, recomputed by the server
    interim.refresh_from_db()
    assert interim.version == 2
    assert FinancialLine.objects.get(report=interim).spent == Decimal("4000")
    assert IndicatorValue.objects.get(report=interim).value == Decimal("47")


def test_it_refuses_a_stale_autosave_and_keeps_the_first(
    browser_for, interim, applicant_a, colleague_a, indicator
):
    ana, marko = browser_for(applicant_a), browser_for(colleague_a)
    first = form(interim, indicator, answers=("Ana's answer", "", ""))
    second = form(interim, indicator, answers=("Marko's answer", "", ""))  # same version 1
    assert ana.post(url("grantee-report-autosave", interim), first, **HTMX).status_code == 200
    response = marko.post(url("grantee-report-autosave", interim), second, **HTMX)
    assert response.status_code == 409
    assert "someone else saved this report after you opened it" in response.content.decode()
    interim.refresh_from_db()
    question = interim.grant.programme.report_questions[0]
    assert interim.narrative[question] == "Ana's answer"


def test_it_keeps_the_typed_text_on_a_stale_save_without_javascript(
    browser_for, interim, applicant_a, colleague_a, indicator
):
    browser_for(applicant_a).post(url("grantee-report", interim), form(interim, indicator))
    response = browser_for(colleague_a).post(
        url("grantee-report", interim), form(interim, indicator, answers=("Mine", "", ""))
    )
    assert response.status_code == 409
    assert ">Mine</textarea>" in response.content.decode()


def test_it_lists_every_missing_answer_and_keeps_everything(
    client_for, interim, applicant_a, indicator
):
    data = form(interim, indicator, answers=("We trained 47 people.", "", ""))
    response = client_for(applicant_a).post(url("grantee-report-submit", interim), data)
    assert response.status_code == 400
    body = response.content.decode()
    questions = interim.grant.programme.report_questions
    for question in questions[1:]:
        assert f"Answer “{question}”." in body
    assert "We trained 47 people.</textarea>" in body
    interim.refresh_from_db()
    assert interim.state == Report.State.OPEN
    assert interim.narrative[questions[0]] == "We trained 47 people."
    assert FinancialLine.objects.get(report=interim).spent == Decimal("4000")


def test_it_submits_and_then_shows_the_report_read_only(
    client_for, interim, applicant_a, indicator
):
    client = client_for(applicant_a)
    response = client.post(url("grantee-report-submit", interim), form(interim, indicator))
    assert response.status_code == 302
    interim.refresh_from_db()
    assert interim.state == Report.State.SUBMITTED
    body = client.get(url("grantee-report", interim)).content.decode()
    assert "<textarea" not in body and "cannot be changed now" in body
    assert "4,000.00 EUR" in body and "47" in body
    again = client.post(url("grantee-report-autosave", interim), form(interim, indicator), **HTMX)
    assert again.status_code == 409


def test_it_shows_the_managers_comments_at_their_section(
    client_for, interim, applicant_a, manager, indicator
):
    report_save(
        report=interim,
        actor=applicant_a,
        version=None,
        narrative={q: "Done." for q in interim.grant.programme.report_questions},
    )
    report_submit(report=interim, actor=applicant_a)
    report_request_changes(
        report=interim,
        actor=manager,
        comments={"financial": "Attach the receipts for the venue.", "indicators": "Split by sex."},
    )
    body = client_for(applicant_a).get(url("grantee-report", interim)).content.decode()
    financial = body.index('id="financial"')
    indicators = body.index('id="indicators"')
    receipts = body.index("Attach the receipts for the venue.")
    split = body.index("Split by sex.")
    assert financial < receipts < indicators < split
    assert 'id="comments-financial"' in body and 'id="comments-indicators"' in body


def test_it_says_when_the_rate_is_missing(client_for, interim, applicant_a, indicator):
    client = client_for(applicant_a)
    data = form(interim, indicator)
    data["currency"] = "RSD"
    body = client.post(url("grantee-report-autosave", interim), data, **HTMX).content.decode()
    assert "There is no RSD rate for" in body
    ExchangeRate.objects.create(
        programme=interim.grant.programme,
        currency="RSD",
        month=interim.period_end.replace(day=1),
        rate=Decimal("117.2"),
    )
    page = client.get(url("grantee-report", interim)).content.decode()
    assert 'data-rate="117.200000"' in page and "117.2 RSD = 1 EUR" in page


@pytest.mark.parametrize("who", ["applicant_b", "manager"])
def test_it_uploads_lists_and_guards_attachments(request, client_for, interim, applicant_a, who):
    client = client_for(applicant_a)
    response = client.post(
        url("grantee-report-attachment-add", interim), {"file": pdf("receipts.pdf")}
    )
    assert response.status_code == 302
    attachment = interim.attachments.get()
    download = reverse(
        "grantee-report-attachment", args=[interim.grant_id, interim.pk, attachment.pk]
    )
    assert "receipts.pdf" in client.get(url("grantee-report", interim)).content.decode()
    assert client.get(download).status_code == 200
    assert client_for(request.getfixturevalue(who)).get(download).status_code == 404


def test_it_refuses_an_upload_that_is_not_what_it_says(client_for, interim, applicant_a):
    fake = pdf("photo.jpg")
    response = client_for(applicant_a).post(
        url("grantee-report-attachment-add", interim), {"file": fake}, **HTMX
    )
    assert response.status_code == 400
    assert "its content is application/pdf" in response.content.decode()
    assert not interim.attachments.exists()
