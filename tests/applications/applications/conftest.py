"""Fixtures of the applicant's tests: a stored attachment, org_b's submitted application, and
the browser's editor. The personas (with `draft` and `submitted`) live in tests/conftest.py."""

import pytest

from applications.services.applications import application_submit, attachment_add
from tests import factories as f
from tests.samples import PDF_BYTES, pdf_upload


@pytest.fixture
def attachment(draft, applicant_a):
    return attachment_add(application=draft, actor=applicant_a, upload=pdf_upload())


@pytest.fixture
def submitted_b(call, org_b, applicant_b):
    application = f.complete_application(call=call, organisation=org_b, created_by=applicant_b)
    application.title = "Women's safety audit in Tuzla"
    application.save()
    return application_submit(application=application, actor=applicant_b)


@pytest.fixture
def pdf_path(tmp_path):
    path = tmp_path / "statute.pdf"
    path.write_bytes(PDF_BYTES)
    return path


@pytest.fixture
def editor(live_server, login_page):
    """Log `user` in and open the editor of `application`."""

    def open_editor(user, application):
        page = login_page(user)
        page.goto(f"{live_server.url}/applications/{application.pk}/edit/")
        return page

    return open_editor
