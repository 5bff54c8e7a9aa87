"""What the tests send: files to upload, and the headers of an htmx request."""

from django.core.files.uploadedfile import SimpleUploadedFile

# The smallest real PDF: header, one empty page, cross-reference table, trailer.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n167\n%%EOF\n"
)

# The smallest thing filetype recognises as a PDF: the magic bytes and a trailer.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def pdf_upload(name: str = "statute.pdf") -> SimpleUploadedFile:
    """An upload of PDF_BYTES named `name`."""
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


HTMX = {"HTTP_HX_REQUEST": "true"}
