"""The moderation pages: reviews side by side, consensus with a justification for a changed score, a further reviewer, a reopened review."""

from django.urls import reverse

from applications.models import Application, ReviewAssignment
from tests.applications.conftest import consensus_data


def test_the_moderation_page_puts_reviews_side_by_side(client_for, manager, scheme_abc):
    page = (
        client_for(manager)
        .get(reverse("review-manage-application", args=[scheme_abc["C"].pk]))
        .content.decode()
    )
    assert "C comment by expert" in page and "C comment by second" in page
    assert "Second Expert" in page  # names are visible to the manager
    assert "3.00" in page  # the mean of 5 and 1
    assert "Record consensus" in page


def test_consensus_needs_a_justification_for_a_changed_score(client_for, manager, call, scheme_abc):
    client = client_for(manager)
    url = reverse("review-manage-consensus", args=[scheme_abc["C"].pk])
    response = client.post(url, consensus_data(call, relevance="4", justification=""))
    assert response.status_code == 400
    assert "Justify the change of “Relevance”." in response.content.decode()
    assert Application.objects.get(pk=scheme_abc["C"].pk).state == "moderation"
    response = client.post(url, consensus_data(call, relevance="4"))
    assert response.status_code == 302
    assert Application.objects.get(pk=scheme_abc["C"].pk).state == "reviewed"


def test_the_moderator_adds_a_further_reviewer(client_for, manager, scheme_abc, spare_reviewer):
    response = client_for(manager).post(
        reverse("review-manage-application-assign", args=[scheme_abc["C"].pk]),
        {"application": scheme_abc["C"].pk, "reviewer": spare_reviewer.pk},
    )
    assert response.status_code == 302
    assert scheme_abc["C"].assignments.filter(reviewer=spare_reviewer, state="invited").exists()
    assert Application.objects.get(pk=scheme_abc["C"].pk).state == "in_review"


def test_the_moderator_reopens_a_review(client_for, manager, scheme_abc, reviewer):
    assignment = scheme_abc["A"].assignments.get(reviewer=reviewer)
    response = client_for(manager).post(
        reverse("review-manage-reopen", args=[assignment.pk]), {"comment": "Recheck the budget"}
    )
    assert response.status_code == 302
    assert ReviewAssignment.objects.get(pk=assignment.pk).state == "reopened"
    assert Application.objects.get(pk=scheme_abc["A"].pk).state == "in_review"
    page = client_for(reviewer).get(reverse("review-assignment", args=[assignment.pk]))
    assert "Recheck the budget" in page.content.decode()
    assert 'id="review-form"' in page.content.decode()
