"""The agreement PDF and its signature."""

import re

from django.urls import reverse

from grants.agreement import agreement_pdf
from grants.models import Grant
from tests.samples import PDF_BYTES, pdf_upload


def test_it_generates_a_pdf_with_the_terms(grant_with_obligations):
    data = agreement_pdf(grant_with_obligations)
    assert data.startswith(b"%PDF")
    text = data.decode("latin-1")
    assert grant_with_obligations.reference and grant_with_obligations.reference in text
    assert "9,000.00 EUR" in text  # the amount
    assert "3,600.00 EUR" in text  # a tranche
    assert "Keep receipts for five years." in text  # the call's obligations
    assert "Balkan Civic Network" in text and "Youth Initiative Novi Sad" in text


def test_it_downloads_the_agreement_for_the_grantee_and_the_programme_manager(
    client_for, grant_with_obligations, applicant_a, manager, observer
):
    url = reverse("grant-agreement", args=[grant_with_obligations.pk])
    for user in (applicant_a, manager, observer):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert "attachment" in response["Content-Disposition"]


def test_it_hides_the_agreement_from_outsiders(
    client_for, grant_with_obligations, applicant_b, other_manager
):
    url = reverse("grant-agreement", args=[grant_with_obligations.pk])
    assert client_for(applicant_b).get(url).status_code == 404
    assert client_for(other_manager).get(url).status_code == 404


def test_it_tells_a_plain_member_who_can_sign(
    client_for, grant_with_obligations, colleague_a, applicant_a
):
    client = client_for(colleague_a)
    body = client.get(reverse("grantee-grant", args=[grant_with_obligations.pk])).content.decode()
    assert "Only an administrator of Youth Initiative Novi Sad can sign the agreement." in body
    assert applicant_a.display_name in body
    response = client.post(
        reverse("grantee-grant-sign", args=[grant_with_obligations.pk]), {"accept": "1"}
    )
    assert response.status_code == 302
    grant_with_obligations.refresh_from_db()
    assert grant_with_obligations.state == Grant.State.AWARDED


def test_it_lets_the_administrator_accept_the_agreement(
    client_for, grant_with_obligations, applicant_a
):
    client = client_for(applicant_a)
    page = client.get(
        reverse("grantee-grant-sign", args=[grant_with_obligations.pk])
    ).content.decode()
    assert "Accept the agreement" in page
    response = client.post(
        reverse("grantee-grant-sign", args=[grant_with_obligations.pk]), {"accept": "1"}
    )
    assert response.status_code == 302
    grant_with_obligations.refresh_from_db()
    assert (grant_with_obligations.state, grant_with_obligations.signed_by) == (
        "contracted",
        applicant_a,
    )
    body = client.get(reverse("grantee-grant", args=[grant_with_obligations.pk])).content.decode()
    assert "The first tranche is now due for payment." in body
    assert re.search(r"Accepted by .+ on ", body)


def test_it_accepts_a_signed_copy_as_pdf_only(client_for, grant_with_obligations, applicant_a):
    client = client_for(applicant_a)
    url = reverse("grantee-grant-sign", args=[grant_with_obligations.pk])
    fake = pdf_upload("signed.png")
    fake.content_type = "image/png"
    response = client.post(url, {"upload": "1", "signed_copy": fake})
    assert response.status_code == 400
    grant_with_obligations.refresh_from_db()
    assert grant_with_obligations.state == "awarded"
    response = client.post(url, {"upload": "1", "signed_copy": pdf_upload("signed.pdf")})
    assert response.status_code == 302
    grant_with_obligations.refresh_from_db()
    assert grant_with_obligations.state == "contracted" and grant_with_obligations.signed_copy
    copy = client.get(reverse("grant-signed-copy", args=[grant_with_obligations.pk]))
    assert b"".join(copy.streaming_content) == PDF_BYTES
