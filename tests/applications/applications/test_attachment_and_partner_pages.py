"""Uploads (checked by content, refused with the reason) and partners, from the editor."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import Attachment, Partner
from applications.services.applications import application_update
from grants.models import Organisation
from tests import factories as f
from tests.samples import HTMX, PDF_BYTES, pdf_upload


def test_it_uploads_a_pdf_for_a_file_question(client_for, applicant_a, draft, call):
    statute = call.questions.get(label="Statute of the organisation")
    response = client_for(applicant_a).post(
        reverse("attachment-add", args=[draft.pk]),
        {"file": pdf_upload("Statut 2024.pdf"), "question": statute.pk, "version": draft.version},
        **HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "“Statut 2024.pdf” uploaded." in body
    attachment = Attachment.objects.get(application=draft)
    assert attachment.question == statute
    assert attachment.content_type == "application/pdf"
    assert "Statut 2024" not in attachment.file.name  # stored under a generated name
    # The upload was made on top of the page's version: the page moves on with it.
    draft.refresh_from_db()
    assert f'id="version" value="{draft.version}" hx-swap-oob="true"' in body


def test_it_keeps_the_pages_version_when_someone_saved_in_between(
    client_for, applicant_a, colleague_a, draft
):

    page_version = draft.version
    application_update(application=draft, actor=colleague_a, version=page_version, title="X")
    body = (
        client_for(applicant_a)
        .post(
            reverse("attachment-add", args=[draft.pk]),
            {"file": pdf_upload(), "version": page_version},
            **HTMX,
        )
        .content.decode()
    )
    assert "uploaded" in body
    assert "hx-swap-oob" not in body  # the next autosave will report the colleague's change


def test_it_says_why_a_file_of_the_wrong_type_is_refused(client_for, applicant_a, draft):
    fake = SimpleUploadedFile("budget.pdf", b"MZ\x90\x00 this is a program", "application/pdf")
    response = client_for(applicant_a).post(
        reverse("attachment-add", args=[draft.pk]), {"file": fake, "version": draft.version}, **HTMX
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "“budget.pdf” is not an accepted type of document" in body
    assert 'role="alert"' in body
    assert 'aria-describedby="attachment-rules upload-general-error"' in body
    assert not Attachment.objects.exists()


def test_it_says_why_a_renamed_file_is_refused(client_for, applicant_a, draft):
    renamed = SimpleUploadedFile("photo.png", PDF_BYTES, "image/png")
    body = (
        client_for(applicant_a)
        .post(reverse("attachment-add", args=[draft.pk]), {"file": renamed}, **HTMX)
        .content.decode()
    )
    assert "is named .png but its content is application/pdf" in body


def test_it_says_why_a_large_file_is_refused(client_for, applicant_a, draft, settings):
    settings.ATTACHMENT_MAX_BYTES = 20
    response = client_for(applicant_a).post(
        reverse("attachment-add", args=[draft.pk]), {"file": pdf_upload("big.pdf")}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "“big.pdf” is" in body
    assert "the limit is 20" in body
    # Without JavaScript the whole editor comes back, with the draft's content.
    assert "A clear and complete answer.</textarea>" in body
    assert not Attachment.objects.exists()


def test_it_asks_for_a_file_when_none_was_chosen(client_for, applicant_a, draft):
    body = (
        client_for(applicant_a)
        .post(reverse("attachment-add", args=[draft.pk]), {}, **HTMX)
        .content.decode()
    )
    assert "Choose a file to upload." in body


def test_it_refuses_a_question_of_another_call(client_for, applicant_a, draft):
    foreign = f.CallQuestionFactory(kind="file")
    response = client_for(applicant_a).post(
        reverse("attachment-add", args=[draft.pk]), {"file": pdf_upload(), "question": foreign.pk}
    )
    assert response.status_code == 404


def test_it_streams_the_download_under_the_original_name(client_for, colleague_a, attachment):
    response = client_for(colleague_a).get(
        reverse("attachment-download", args=[attachment.application_id, attachment.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="statute.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_it_removes_an_attachment(client_for, applicant_a, attachment):
    response = client_for(applicant_a).post(
        reverse("attachment-remove", args=[attachment.application_id, attachment.pk]), **HTMX
    )
    assert response.status_code == 200
    assert "“statute.pdf” removed." in response.content.decode()
    assert not Attachment.objects.filter(pk=attachment.pk).exists()


def test_it_finds_partners_by_name_but_never_the_applicant(client_for, applicant_a, draft, org_a):
    f.OrganisationFactory(legal_name="Youth Forum Mostar", country="BA")
    body = (
        client_for(applicant_a)
        .get(reverse("partner-search", args=[draft.pk]), {"q": "youth"}, **HTMX)
        .content.decode()
    )
    assert "Youth Forum Mostar" in body
    assert "Bosnia and Herzegovina" in body
    assert org_a.legal_name not in body


def test_it_searches_partners_without_javascript(client_for, applicant_a, draft):
    f.OrganisationFactory(legal_name="Youth Forum Mostar", country="BA")
    client = client_for(applicant_a)
    response = client.get(reverse("partner-search", args=[draft.pk]), {"q": "Mostar"})
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "Youth Forum Mostar" in body


def test_it_adds_an_existing_organisation_as_partner(client_for, applicant_a, draft):
    mostar = f.OrganisationFactory(legal_name="Youth Forum Mostar", country="BA")
    response = client_for(applicant_a).post(
        reverse("partner-add", args=[draft.pk]),
        {"mode": "existing", "existing-organisation": mostar.pk, "existing-role": "Hosts"},
        **HTMX,
    )
    assert response.status_code == 200
    assert "Youth Forum Mostar added as partner." in response.content.decode()
    assert Partner.objects.get(application=draft).organisation == mostar


def test_it_adds_a_new_organisation_as_partner(client_for, applicant_a, draft):
    response = client_for(applicant_a).post(
        reverse("partner-add", args=[draft.pk]),
        {
            "mode": "new",
            "new-legal_name": "Qendra Rinore Prizren",
            "new-country": "XK",
            "new-org_type": "grassroots",
            "new-role": "Outreach",
        },
    )
    assert response.status_code == 302
    partner = Partner.objects.get(application=draft)
    assert partner.organisation.legal_name == "Qendra Rinore Prizren"
    assert partner.organisation.country == "XK"
    assert partner.role == "Outreach"


def test_it_explains_a_refused_partner(client_for, applicant_a, draft, org_a):
    response = client_for(applicant_a).post(
        reverse("partner-add", args=[draft.pk]),
        {"mode": "existing", "existing-organisation": org_a.pk},
        **HTMX,
    )
    assert response.status_code == 400
    assert "cannot be its own partner" in response.content.decode()


def test_it_lists_the_missing_fields_of_a_new_partner(client_for, applicant_a, draft):
    response = client_for(applicant_a).post(
        reverse("partner-add", args=[draft.pk]), {"mode": "new", "new-legal_name": "Only a name"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_new-country_error"' in body
    assert 'value="Only a name"' in body
    assert not Organisation.objects.filter(legal_name="Only a name").exists()


def test_it_removes_a_partner(client_for, applicant_a, draft):
    partner = f.PartnerFactory(application=draft)
    response = client_for(applicant_a).post(
        reverse("partner-remove", args=[draft.pk, partner.pk]), **HTMX
    )
    assert response.status_code == 200
    assert not Partner.objects.filter(pk=partner.pk).exists()
