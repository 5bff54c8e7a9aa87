"""Files: checked by content, stored under generated names, downloaded only through the API."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from applications.models import Attachment
from applications.services.applications import application_submit
from tests import factories as f
from tests.samples import PDF


def upload(api, application, file, **extra):
    return api.post(
        f"/api/v1/applications/{application.pk}/attachments/",
        {"file": file, **extra},
        format="multipart",
    )


def test_it_accepts_a_real_pdf_and_stores_it_under_a_generated_name(
    api_for, applicant_a, draft, pdf
):
    response = upload(api_for(applicant_a), draft, pdf("Statut udruženja.pdf"))
    assert response.status_code == 201, response.data
    assert response.data["original_name"] == "Statut udruženja.pdf"
    assert response.data["content_type"] == "application/pdf"
    assert response.data["size"] == len(PDF)
    stored = Attachment.objects.get(pk=response.data["id"]).file.name
    assert "Statut" not in stored and stored.endswith(".pdf")
    assert "/api/v1/applications/" in response.data["download_url"]
    assert "/media/" not in response.data["download_url"]


def test_it_links_a_file_to_the_calls_file_question(api_for, applicant_a, draft, pdf):
    question = draft.call.questions.get(kind="file")
    response = upload(api_for(applicant_a), draft, pdf(), question=question.pk)
    assert response.status_code == 201, response.data
    assert response.data["question"] == question.pk


def test_it_refuses_a_question_of_another_call(api_for, applicant_a, draft, pdf):
    foreign = f.CallQuestionFactory(kind="file")
    response = upload(api_for(applicant_a), draft, pdf(), question=foreign.pk)
    assert response.status_code == 400
    assert "question" in response.data["errors"]


def test_it_refuses_an_executable(api_for, applicant_a, draft):
    exe = SimpleUploadedFile("budget.exe", b"MZ\x90\x00\x03" + b"\x00" * 200)
    response = upload(api_for(applicant_a), draft, exe)
    assert response.status_code == 400
    assert "not an accepted type" in response.data["errors"]["file"][0]
    assert "PDF" in response.data["errors"]["file"][0]
    assert not draft.attachments.exists()


def test_it_refuses_a_text_file_renamed_to_pdf(api_for, applicant_a, draft):
    fake = SimpleUploadedFile("statute.pdf", b"I am not a PDF, just text.\n" * 10)
    response = upload(api_for(applicant_a), draft, fake)
    assert response.status_code == 400
    assert "“statute.pdf” is not an accepted type" in response.data["errors"]["file"][0]
    assert not draft.attachments.exists()


@override_settings(ATTACHMENT_MAX_BYTES=200)
def test_it_refuses_a_file_over_the_size_limit(api_for, applicant_a, draft, pdf):
    response = upload(api_for(applicant_a), draft, pdf("big.pdf", PDF + b"%" * 300))
    assert response.status_code == 400
    assert "the limit is 200" in response.data["errors"]["file"][0]
    assert not draft.attachments.exists()


def test_it_requires_a_file(api_for, applicant_a, draft):
    response = api_for(applicant_a).post(
        f"/api/v1/applications/{draft.pk}/attachments/", {}, format="multipart"
    )
    assert response.status_code == 400
    assert "file" in response.data["errors"]


def test_it_lets_the_owner_download_the_file(api_for, applicant_a, colleague_a, draft, pdf):
    created = upload(api_for(applicant_a), draft, pdf("statute.pdf")).data
    # A client asking for the file's own type gets it; a colleague may download it too.
    response = api_for(colleague_a).get(
        f"/api/v1/applications/{draft.pk}/attachments/{created['id']}/download/",
        HTTP_ACCEPT="application/pdf",
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="statute.pdf"'
    assert b"".join(response.streaming_content) == PDF


def test_it_lets_the_manager_download_once_submitted(api_for, applicant_a, manager, draft, pdf):
    created = upload(api_for(applicant_a), draft, pdf()).data
    download = f"/api/v1/applications/{draft.pk}/attachments/{created['id']}/download/"
    assert api_for(manager).get(download).status_code == 404  # a draft: not theirs to see
    application_submit(application=draft, actor=applicant_a)
    assert api_for(manager).get(download).status_code == 200


def test_it_hides_the_download_from_outsiders(
    api_for, applicant_a, applicant_b, other_manager, draft, pdf
):
    created = upload(api_for(applicant_a), draft, pdf()).data
    application_submit(application=draft, actor=applicant_a)
    download = f"/api/v1/applications/{draft.pk}/attachments/{created['id']}/download/"
    for outsider in (applicant_b, other_manager, None):
        response = api_for(outsider).get(download, HTTP_ACCEPT="application/pdf")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"


def test_it_refuses_a_file_under_another_application(api_for, applicant_a, draft, pdf):
    """An attachment id only works under its own application."""
    created = upload(api_for(applicant_a), draft, pdf()).data
    mine_too = f.ApplicationFactory(call=draft.call, organisation=draft.organisation)
    response = api_for(applicant_a).get(
        f"/api/v1/applications/{mine_too.pk}/attachments/{created['id']}/download/"
    )
    assert response.status_code == 404


def test_it_removes_a_file_from_a_draft(api_for, applicant_a, draft, pdf):
    created = upload(api_for(applicant_a), draft, pdf()).data
    response = api_for(applicant_a).delete(
        f"/api/v1/applications/{draft.pk}/attachments/{created['id']}/"
    )
    assert response.status_code == 204
    assert not draft.attachments.exists()
