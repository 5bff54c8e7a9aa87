"""The dashboard: one's organisations and applications, and the way to the manager area."""

from django.urls import reverse

from tests import factories as f


def test_it_lists_the_applications_of_my_organisations(client_for, applicant_a, draft, submitted_b):
    body = client_for(applicant_a).get(reverse("dashboard")).content.decode()
    assert draft.title in body
    assert "Draft" in body
    assert "(Europe/Belgrade)" in body
    assert "9,000.00 EUR" in body
    assert submitted_b.title not in body


def test_it_shows_the_reference_and_public_status_after_submission(
    client_for, colleague_a, submitted
):
    body = client_for(colleague_a).get(reverse("dashboard")).content.decode()
    assert submitted.reference in body
    assert "Submitted" in body


def test_it_offers_the_profile_form_only_without_an_organisation(client_for, applicant_a):
    body = client_for(applicant_a).get(reverse("dashboard")).content.decode()
    assert "Create your organisation" not in body
    assert "Edit the profile of" in body


def test_it_hides_the_profile_edit_link_from_plain_members(client_for, colleague_a):
    body = client_for(colleague_a).get(reverse("dashboard")).content.decode()
    assert "Edit the profile of" not in body


def test_it_sends_programme_staff_to_the_manager_area(client_for, manager):
    body = client_for(manager).get(reverse("dashboard")).content.decode()
    assert 'href="/manage/"' in body


def test_it_keeps_its_query_count_flat(
    client_for, applicant_a, org_a, call, django_assert_max_num_queries
):
    client = client_for(applicant_a)
    f.complete_application(call=call, organisation=org_a, created_by=applicant_a)
    with django_assert_max_num_queries(12) as first:
        client.get(reverse("dashboard"))
    for _ in range(5):
        f.complete_application(call=call, organisation=org_a, created_by=applicant_a)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("dashboard"))
