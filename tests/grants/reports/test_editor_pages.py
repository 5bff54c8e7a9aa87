"""The report editor: autosave with a version, submission listing every problem, the
manager's comments at their section, attachments, read-only once submitted."""

from decimal import Decimal

import pytest
from django.urls import reverse

from grants.models import ExchangeRate, FinancialLine, IndicatorValue, Report
from grants.services.reports import report_request_changes, report_save, report_submit
from tests.samples import HTMX, pdf_upload


def form(report, indicator, *, answers=("Done.", "Nothing.", "More."), spent="4000", value="47"):
    line = report.grant.budget_lines.get()
    data = {"version": report.version, "currency": "EUR", f"spent-{line.pk}": spent}
    data.update({f"q-{i}": a for i, a in enumerate(answers)})
    data[f"ind-{indicator.pk}"] = value
    return data


def url(name, report):
    return reverse(name, args=[report.grant_id, report.pk])


def test_it_shows_the_questions_statement_and_indicators(
    client_for, open_interim_with_obligations, applicant_a
):
    body = (
        client_for(applicant_a)
        .get(url("grantee-report", open_interim_with_obligations))
        .content.decode()
    )
    for question in open_interim_with_obligations.grant.programme.report_questions:
        assert question in body
    assert "Financial statement" in body and "9,000.00 EUR" in body
    assert "CSO representatives trained" in body and "50" in body
    assert 'hx-post="' + url("grantee-report-autosave", open_interim_with_obligations) in body


def test_it_autosaves_and_moves_the_version(
    client_for, open_interim_with_obligations, applicant_a, indicator
):
    response = client_for(applicant_a).post(
        url("grantee-report-autosave", open_interim_with_obligations),
        form(open_interim_with_obligations, indicator),
        **HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Saved at" in body
    assert 'id="version" value="2" hx-swap-oob="true"' in body
    assert "5,000.00 EUR" in body  # remaining on the line, recomputed by the server
    open_interim_with_obligations.refresh_from_db()
    assert open_interim_with_obligations.version == 2
    assert FinancialLine.objects.get(report=open_interim_with_obligations).spent == Decimal("4000")
    assert IndicatorValue.objects.get(report=open_interim_with_obligations).value == Decimal("47")


def test_it_refuses_a_stale_autosave_and_keeps_the_first(
    browser_for, open_interim_with_obligations, applicant_a, colleague_a, indicator
):
    ana, marko = browser_for(applicant_a), browser_for(colleague_a)
    first = form(open_interim_with_obligations, indicator, answers=("Ana's answer", "", ""))
    second = form(
        open_interim_with_obligations, indicator, answers=("Marko's answer", "", "")
    )  # same version 1
    assert (
        ana.post(
            url("grantee-report-autosave", open_interim_with_obligations), first, **HTMX
        ).status_code
        == 200
    )
    response = marko.post(
        url("grantee-report-autosave", open_interim_with_obligations), second, **HTMX
    )
    assert response.status_code == 409
    assert "someone else saved this report after you opened it" in response.content.decode()
    open_interim_with_obligations.refresh_from_db()
    question = open_interim_with_obligations.grant.programme.report_questions[0]
    assert open_interim_with_obligations.narrative[question] == "Ana's answer"


def test_it_keeps_the_typed_text_on_a_stale_save_without_javascript(
    browser_for, open_interim_with_obligations, applicant_a, colleague_a, indicator
):
    browser_for(applicant_a).post(
        url("grantee-report", open_interim_with_obligations),
        form(open_interim_with_obligations, indicator),
    )
    response = browser_for(colleague_a).post(
        url("grantee-report", open_interim_with_obligations),
        form(open_interim_with_obligations, indicator, answers=("Mine", "", "")),
    )
    assert response.status_code == 409
    assert ">Mine</textarea>" in response.content.decode()


def test_it_lists_every_missing_answer_and_keeps_everything(
    client_for, open_interim_with_obligations, applicant_a, indicator
):
    data = form(open_interim_with_obligations, indicator, answers=("We trained 47 people.", "", ""))
    response = client_for(applicant_a).post(
        url("grantee-report-submit", open_interim_with_obligations), data
    )
    assert response.status_code == 400
    body = response.content.decode()
    questions = open_interim_with_obligations.grant.programme.report_questions
    for question in questions[1:]:
        assert f"Answer “{question}”." in body
    assert "We trained 47 people.</textarea>" in body
    open_interim_with_obligations.refresh_from_db()
    assert open_interim_with_obligations.state == Report.State.OPEN
    assert open_interim_with_obligations.narrative[questions[0]] == "We trained 47 people."
    assert FinancialLine.objects.get(report=open_interim_with_obligations).spent == Decimal("4000")


def test_it_submits_and_then_shows_the_report_read_only(
    client_for, open_interim_with_obligations, applicant_a, indicator
):
    client = client_for(applicant_a)
    response = client.post(
        url("grantee-report-submit", open_interim_with_obligations),
        form(open_interim_with_obligations, indicator),
    )
    assert response.status_code == 302
    open_interim_with_obligations.refresh_from_db()
    assert open_interim_with_obligations.state == Report.State.SUBMITTED
    body = client.get(url("grantee-report", open_interim_with_obligations)).content.decode()
    assert "<textarea" not in body and "cannot be changed now" in body
    assert "4,000.00 EUR" in body and "47" in body
    again = client.post(
        url("grantee-report-autosave", open_interim_with_obligations),
        form(open_interim_with_obligations, indicator),
        **HTMX,
    )
    assert again.status_code == 409


def test_it_shows_the_managers_comments_at_their_section(
    client_for, open_interim_with_obligations, applicant_a, manager, indicator
):
    report_save(
        report=open_interim_with_obligations,
        actor=applicant_a,
        version=None,
        narrative={
            q: "Done." for q in open_interim_with_obligations.grant.programme.report_questions
        },
    )
    report_submit(report=open_interim_with_obligations, actor=applicant_a)
    report_request_changes(
        report=open_interim_with_obligations,
        actor=manager,
        comments={"financial": "Attach the receipts for the venue.", "indicators": "Split by sex."},
    )
    body = (
        client_for(applicant_a)
        .get(url("grantee-report", open_interim_with_obligations))
        .content.decode()
    )
    financial = body.index('id="financial"')
    indicators = body.index('id="indicators"')
    receipts = body.index("Attach the receipts for the venue.")
    split = body.index("Split by sex.")
    assert financial < receipts < indicators < split
    assert 'id="comments-financial"' in body and 'id="comments-indicators"' in body


def test_it_says_when_the_rate_is_missing(
    client_for, open_interim_with_obligations, applicant_a, indicator
):
    client = client_for(applicant_a)
    data = form(open_interim_with_obligations, indicator)
    data["currency"] = "RSD"
    body = client.post(
        url("grantee-report-autosave", open_interim_with_obligations), data, **HTMX
    ).content.decode()
    assert "There is no RSD rate for" in body
    ExchangeRate.objects.create(
        programme=open_interim_with_obligations.grant.programme,
        currency="RSD",
        month=open_interim_with_obligations.period_end.replace(day=1),
        rate=Decimal("117.2"),
    )
    page = client.get(url("grantee-report", open_interim_with_obligations)).content.decode()
    assert 'data-rate="117.200000"' in page and "117.2 RSD = 1 EUR" in page


@pytest.mark.parametrize("who", ["applicant_b", "manager"])
def test_it_uploads_lists_and_guards_attachments(
    request, client_for, open_interim_with_obligations, applicant_a, who
):
    client = client_for(applicant_a)
    response = client.post(
        url("grantee-report-attachment-add", open_interim_with_obligations),
        {"file": pdf_upload("receipts.pdf")},
    )
    assert response.status_code == 302
    attachment = open_interim_with_obligations.attachments.get()
    download = reverse(
        "grantee-report-attachment",
        args=[
            open_interim_with_obligations.grant_id,
            open_interim_with_obligations.pk,
            attachment.pk,
        ],
    )
    assert (
        "receipts.pdf"
        in client.get(url("grantee-report", open_interim_with_obligations)).content.decode()
    )
    assert client.get(download).status_code == 200
    assert client_for(request.getfixturevalue(who)).get(download).status_code == 404


def test_it_refuses_an_upload_that_is_not_what_it_says(
    client_for, open_interim_with_obligations, applicant_a
):
    fake = pdf_upload("photo.jpg")
    response = client_for(applicant_a).post(
        url("grantee-report-attachment-add", open_interim_with_obligations), {"file": fake}, **HTMX
    )
    assert response.status_code == 400
    assert "its content is application/pdf" in response.content.decode()
    assert not open_interim_with_obligations.attachments.exists()
