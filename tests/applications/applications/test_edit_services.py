import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from applications.services.applications import (
    application_submit,
    application_update,
    attachment_add,
    attachment_remove,
    budget_line_save,
    partner_add,
)
from tests import factories as f
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _docx() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


class TestConcurrentEdits:
    def test_it_saves_and_bumps_the_version(self, draft, applicant_a):
        version = draft.version
        updated = application_update(
            application=draft, actor=applicant_a, version=version, title="Safer schools"
        )
        assert updated.version == version + 1
        assert updated.title == "Safer schools"

    def test_it_refuses_an_edit_based_on_a_stale_version(
        self, call, draft, applicant_a, colleague_a
    ):
        summary = call.questions.get(label="Project summary")
        loaded = draft.version  # both opened the page at this version
        application_update(
            application=draft, actor=applicant_a, version=loaded, answers={summary.pk: "Ana's text"}
        )

        with pytest.raises(TransitionConflict) as exc:
            application_update(
                application=draft,
                actor=colleague_a,
                version=loaded,
                answers={summary.pk: "Marko's"},
            )

        assert exc.value.code == "stale_version"
        assert applicant_a.display_name in exc.value.detail
        assert draft.answers.get(question=summary).value == "Ana's text"

    def test_it_replaces_budget_lines_and_rejects_bad_amounts_whole(self, draft, applicant_a):
        with pytest.raises(RuleViolation) as exc:
            application_update(
                application=draft,
                actor=applicant_a,
                version=draft.version,
                budget_lines=[
                    {"category": "staff", "description": "Coordinator", "amount_requested": "-5"},
                    {"category": "travel", "description": "Trips", "amount_requested": "1.005"},
                    {"category": "nope", "description": "X", "amount_requested": "abc"},
                    {"category": "other", "description": "", "amount_requested": "100"},
                ],
            )
        assert set(exc.value.errors) == {
            "budget_lines[0].amount_requested",
            "budget_lines[1].amount_requested",
            "budget_lines[2].amount_requested",
            "budget_lines[2].category",
            "budget_lines[3].description",
        }
        assert draft.budget_lines.count() == 1  # nothing was written

        application_update(
            application=draft,
            actor=applicant_a,
            version=draft.version,
            budget_lines=[
                {
                    "category": "staff",
                    "description": "Coordinator",
                    "amount_requested": "6000",
                    "own_contribution": "700",
                },
                {"category": "", "description": "", "amount_requested": ""},  # an empty form row
            ],
        )
        assert list(draft.budget_lines.values_list("description", "amount_requested")) == [
            ("Coordinator", Decimal("6000.00"))
        ]

    def test_it_refuses_edits_after_submission(self, draft, applicant_a):
        application = application_submit(application=draft, actor=applicant_a)
        with pytest.raises(TransitionConflict) as exc:
            application_update(application=application, actor=applicant_a, version=None, title="x")
        assert exc.value.code == "not_editable"

    def test_it_refuses_outsiders(self, draft, applicant_b, manager):
        for outsider in (applicant_b, manager):
            with pytest.raises(NotPermitted):
                application_update(application=draft, actor=outsider, version=None, title="x")
            with pytest.raises(NotPermitted):
                budget_line_save(application=draft, actor=outsider, description="x")


class TestPartners:
    def test_it_adds_an_existing_and_a_new_organisation(self, draft, applicant_a, org_b):
        partner_add(application=draft, actor=applicant_a, organisation=org_b, role="Training")
        partner = partner_add(
            application=draft,
            actor=applicant_a,
            new_organisation={
                "legal_name": "Roma Youth Skopje",
                "country": "MK",
                "org_type": "cso",
            },
        )
        assert partner.organisation.country == "MK"
        assert draft.partners.count() == 2

    def test_it_explains_a_bad_new_partner(self, draft, applicant_a):
        with pytest.raises(RuleViolation) as exc:
            partner_add(
                application=draft,
                actor=applicant_a,
                new_organisation={"legal_name": "", "country": "ZZ", "org_type": "cso"},
            )
        assert {"legal_name", "country"} <= set(exc.value.errors)

    def test_it_refuses_the_applicant_as_its_own_partner(self, draft, applicant_a, org_a):
        with pytest.raises(RuleViolation):
            partner_add(application=draft, actor=applicant_a, organisation=org_a)


class TestAttachments:
    @pytest.mark.parametrize(
        ("name", "content", "expected"),
        [
            ("statute.pdf", PDF, "application/pdf"),
            ("logo.png", PNG, "image/png"),
            (
                "plan.docx",
                None,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
        ],
    )
    def test_it_accepts_documents_by_content(self, draft, applicant_a, name, content, expected):
        upload = SimpleUploadedFile(name, content if content is not None else _docx())
        attachment = attachment_add(application=draft, actor=applicant_a, upload=upload)
        assert attachment.content_type == expected
        assert attachment.original_name == name
        assert name not in attachment.file.name  # stored under a generated name
        assert attachment.file.name.startswith(f"attachments/{draft.pk}/")

    @pytest.mark.parametrize(
        ("name", "content", "reason"),
        [
            ("budget.pdf", b"just some text pretending", "not an accepted type"),
            ("tool.exe", b"MZ\x90\x00" + b"\x00" * 60, "not an accepted type"),
            ("photo.pdf", PNG, "its content is image/png"),
            ("empty.pdf", b"", "is empty"),
        ],
    )
    def test_it_says_why_an_upload_is_refused(self, draft, applicant_a, name, content, reason):
        with pytest.raises(RuleViolation) as exc:
            attachment_add(
                application=draft, actor=applicant_a, upload=SimpleUploadedFile(name, content)
            )
        assert reason in exc.value.errors["file"][0]
        assert draft.attachments.count() == 0

    @override_settings(ATTACHMENT_MAX_BYTES=1024)
    def test_it_refuses_a_file_over_the_limit(self, draft, applicant_a):
        with pytest.raises(RuleViolation) as exc:
            attachment_add(
                application=draft,
                actor=applicant_a,
                upload=SimpleUploadedFile("big.pdf", PDF + b"0" * 2048),
            )
        assert "the limit is 1.0\xa0KB" in exc.value.errors["file"][0]

    def test_it_satisfies_a_required_document_and_removes_the_file(
        self, call, draft, applicant_a, django_capture_on_commit_callbacks
    ):
        question = f.CallQuestionFactory(call=call, label="Statute", kind="file")
        attachment = attachment_add(
            application=draft,
            actor=applicant_a,
            upload=SimpleUploadedFile("statute.pdf", PDF),
            question=question,
        )
        stored = attachment.file.path
        with django_capture_on_commit_callbacks(execute=True):
            attachment_remove(attachment=attachment, actor=applicant_a)
        import os

        assert not os.path.exists(stored)


def test_list_totals_are_not_multiplied_by_partners(draft, applicant_a, org_b):
    from applications.selectors.applications import applications_visible_to, with_budget_totals

    partner_add(application=draft, actor=applicant_a, organisation=org_b)
    partner_add(
        application=draft,
        actor=applicant_a,
        new_organisation={"legal_name": "Roma Youth Skopje", "country": "MK", "org_type": "cso"},
    )
    f.BudgetLineFactory(application=draft, amount_requested=Decimal("1000"))
    row = with_budget_totals(applications_visible_to(applicant_a)).get(pk=draft.pk)
    assert (row.total_requested, row.total_own, row.partner_count) == (
        Decimal("10000.00"),
        Decimal("2000.00"),
        2,
    )
