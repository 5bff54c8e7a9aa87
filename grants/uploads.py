"""Uploads are checked by what they contain, not by what they are called."""

from __future__ import annotations

import zipfile

import filetype
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from workflows.exceptions import RuleViolation

# Content type detected from the bytes → extensions a file of that type may carry.
ALLOWED = {
    "application/pdf": {".pdf"},
    "image/png": {".png"},
    "image/jpeg": {".jpg", ".jpeg"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {".xlsx"},
    "application/vnd.oasis.opendocument.text": {".odt"},
    "application/vnd.oasis.opendocument.spreadsheet": {".ods"},
}
ALLOWED_DESCRIPTION = "PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS"


def _office_type(head: bytes, upload: UploadedFile) -> str | None:
    """filetype sees a DOCX/XLSX/ODT as a ZIP; look inside to tell which."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                return archive.read("mimetype").decode("ascii", "ignore").strip()
            if "word/document.xml" in names:
                return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            if "xl/workbook.xml" in names:
                return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    except zipfile.BadZipFile:
        return None
    finally:
        upload.seek(0)
    return None


def inspect_upload(upload: UploadedFile, *, max_bytes: int) -> str:
    """Return the detected content type, or raise RuleViolation saying why the file is refused."""
    name = upload.name or ""
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if upload.size == 0:
        raise RuleViolation({"file": [_("“%(n)s” is empty.") % {"n": name}]})
    if upload.size > max_bytes:
        raise RuleViolation(
            {
                "file": [
                    _("“%(n)s” is %(size)s; the limit is %(max)s.")
                    % {
                        "n": name,
                        "size": filesizeformat(upload.size),
                        "max": filesizeformat(max_bytes),
                    }
                ]
            }
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    content_type = kind.mime if kind else None
    if content_type in ("application/zip", "application/x-zip-compressed") or (
        content_type and content_type in ALLOWED and extension in {".docx", ".xlsx", ".odt", ".ods"}
    ):
        content_type = _office_type(head, upload) or content_type
    if content_type not in ALLOWED:
        raise RuleViolation(
            {
                "file": [
                    _("“%(n)s” is not an accepted type of document. Accepted: %(ok)s.")
                    % {"n": name, "ok": ALLOWED_DESCRIPTION}
                ]
            }
        )
    if extension not in ALLOWED[content_type]:
        raise RuleViolation(
            {
                "file": [
                    _("“%(n)s” is named %(ext)s but its content is %(type)s.")
                    % {"n": name, "ext": extension or _("without extension"), "type": content_type}
                ]
            }
        )
    return content_type


def upload_response(stored, *, filename: str | None = None) -> FileResponse:
    """A stored upload (an application's or a report's attachment) streamed to someone the view
    already checked may have it: under its original name (or `filename`, e.g. a neutral one in
    blind review), never cached. Files are stored under generated names, never on a public
    URL. A file missing from storage is 404."""
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=filename or stored.original_name,
        content_type=stored.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
