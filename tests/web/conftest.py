"""Helpers for the page tests: a submitted application, a stored attachment, a PDF."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from applications.services.applications import application_submit, attachment_add

# The smallest thing filetype recognises as a PDF: the magic bytes and a trailer.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def pdf(name: str = "statute.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def submitted(draft, applicant_a):
    return application_submit(application=draft, actor=applicant_a)


@pytest.fixture
def attachment(draft, applicant_a):
    return attachment_add(application=draft, actor=applicant_a, upload=pdf())


@pytest.fixture
def browser_for():
    """A separate client per person, for two people working at once."""

    def make(user=None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def submitted_b(call, org_b, applicant_b):
    from tests import factories as f

    application = f.complete_application(call=call, organisation=org_b, created_by=applicant_b)
    application.title = "Women's safety audit in Tuzla"
    application.save()
    return application_submit(application=application, actor=applicant_b)
