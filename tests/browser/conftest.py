import pytest

from tests.web.conftest import PDF_BYTES


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
