"""Every applicant page against the owner, the colleague and the outsiders.

Application pages answer 404 to whoever is not a member of the applicant organisation —
another applicant, a manager of another programme, an anonymous visitor — so they cannot
even learn that the application exists. Programme staff use their own pages.
"""

import pytest
from django.urls import reverse

from applications.models import Answer, Application, Partner
from applications.services.applications import application_submit
from tests import factories as f
from tests.samples import HTMX, pdf_upload

OUTSIDERS = ["applicant_b", "other_manager", "anonymous"]

DRAFT_PAGES = [
    ("get", "application-edit"),
    ("post", "application-edit"),
    ("post", "application-autosave"),
    ("post", "application-submit"),
    ("get", "partner-search"),
    ("post", "partner-add"),
    ("post", "attachment-add"),
    ("get", "application-withdraw"),
    ("post", "application-withdraw"),
]

SUBMITTED_PAGES = [
    ("get", "application-detail"),
    ("get", "application-receipt"),
    ("get", "application-withdraw"),
    ("post", "application-withdraw"),
    ("post", "application-clarify"),
]


@pytest.fixture
def as_persona(request, client):
    def login(name):
        if name != "anonymous":
            client.force_login(request.getfixturevalue(name))
        return client

    return login


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize(("method", "name"), DRAFT_PAGES)
def test_it_answers_404_to_outsiders_on_a_draft(as_persona, draft, who, method, name):
    client = as_persona(who)
    data = {"version": draft.version, "title": "Hijacked", "mode": "new", "comment": "x"}
    response = getattr(client, method)(reverse(name, args=[draft.pk]), data)
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.title != "Hijacked"
    assert draft.state == Application.State.DRAFT


@pytest.mark.parametrize("who", [*OUTSIDERS, "manager"])
@pytest.mark.parametrize(("method", "name"), SUBMITTED_PAGES)
def test_it_answers_404_to_outsiders_after_submission(as_persona, submitted, who, method, name):
    client = as_persona(who)
    response = getattr(client, method)(reverse(name, args=[submitted.pk]), {"answer": "x"})
    assert response.status_code == 404
    submitted.refresh_from_db()
    assert submitted.state == Application.State.SUBMITTED


def test_it_hides_a_draft_from_its_programme_manager(as_persona, draft):
    response = as_persona("manager").get(reverse("application-edit", args=[draft.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("who", OUTSIDERS)
def test_it_hides_partners_and_attachments_of_others(as_persona, draft, attachment, who):
    partner = f.PartnerFactory(application=draft)
    client = as_persona(who)
    urls = [
        reverse("partner-remove", args=[draft.pk, partner.pk]),
        reverse("attachment-remove", args=[draft.pk, attachment.pk]),
    ]
    for url in urls:
        assert client.post(url).status_code == 404
    download = reverse("attachment-download", args=[draft.pk, attachment.pk])
    assert client.get(download).status_code == 404
    assert Partner.objects.filter(pk=partner.pk).exists()
    assert draft.attachments.filter(pk=attachment.pk).exists()


def test_it_refuses_an_attachment_id_of_another_application(client_for, draft, attachment, org_b):
    other = f.ApplicationFactory(call=draft.call, organisation=org_b)
    applicant_b = f.MembershipFactory(organisation=org_b).user
    client = client_for(applicant_b)
    url = reverse("attachment-download", args=[other.pk, attachment.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["applicant_a", "colleague_a"])
def test_it_shows_the_editor_to_every_member(as_persona, draft, who):
    response = as_persona(who).get(reverse("application-edit", args=[draft.pk]))
    assert response.status_code == 200
    assert draft.title in response.content.decode()


@pytest.mark.parametrize("who", ["applicant_a", "colleague_a"])
def test_it_shows_the_submitted_pages_to_every_member(as_persona, submitted, who):
    client = as_persona(who)
    for name in ("application-detail", "application-receipt", "application-withdraw"):
        assert client.get(reverse(name, args=[submitted.pk])).status_code == 200


@pytest.mark.parametrize("who", ["applicant_a", "manager"])
def test_it_lets_members_and_programme_staff_download_after_submission(
    as_persona, draft, applicant_a, attachment, who
):

    application_submit(application=draft, actor=applicant_a)
    response = as_persona(who).get(reverse("attachment-download", args=[draft.pk, attachment.pk]))
    assert response.status_code == 200
    assert "statute.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_it_sends_the_anonymous_visitor_of_the_dashboard_to_login(client):
    for name in ("dashboard", "organisation-create"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_it_sends_the_anonymous_applicant_to_login(client, call):
    response = client.get(reverse("call-apply", args=[call.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_does_not_save_an_outsiders_upload(as_persona, draft):
    client = as_persona("applicant_b")
    response = client.post(
        reverse("attachment-add", args=[draft.pk]),
        {"file": pdf_upload(), "version": draft.version},
        **HTMX,
    )
    assert response.status_code == 404
    assert not draft.attachments.exists()


def test_it_does_not_save_an_outsiders_autosave(as_persona, draft, call):
    question = call.questions.get(label="Project summary")
    client = as_persona("other_manager")
    client.post(
        reverse("application-autosave", args=[draft.pk]),
        {"version": draft.version, f"q-{question.pk}": "Not mine to write"},
        **HTMX,
    )
    assert Answer.objects.get(application=draft, question=question).value != "Not mine to write"
