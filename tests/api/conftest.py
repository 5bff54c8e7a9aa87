"""Fixtures of the API tests. The personas live in tests/conftest.py."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.services.applications import application_submit
from tests.api.samples import PDF


@pytest.fixture
def submitted(draft, applicant_a):
    """org_a's complete draft, submitted."""
    return application_submit(application=draft, actor=applicant_a)


@pytest.fixture
def pdf():
    def make(name: str = "statute.pdf", content: bytes = PDF) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, content, content_type="application/pdf")

    return make
