"""Who may open and use the programme staff's review pages — the review home, the pool, the matrix, moderation, the ranking and the decision: the programme's manager reads and acts; its approver and donor observer read but cannot act (403); a manager of another programme, applicants and reviewers get 404; anonymous visitors are sent to log in."""

import pytest
from django.urls import reverse

from applications.models import Application, ReviewAssignment
from grants.models import CallReviewer

OUTSIDERS = ["other_manager", "applicant_b", "reviewer"]


READERS = ["approver", "observer"]


@pytest.fixture
def review_pages(call, scheme_abc):
    return {
        "call": reverse("review-manage-call", args=[call.pk]),
        "pool": reverse("review-manage-pool", args=[call.pk]),
        "matrix": reverse("review-manage-matrix", args=[call.pk]),
        "application": reverse("review-manage-application", args=[scheme_abc["C"].pk]),
        "ranking": reverse("review-manage-ranking", args=[call.pk]),
        "csv": reverse("review-manage-ranking-csv", args=[call.pk]),
        "analysis": reverse("review-manage-analysis", args=[call.pk]),
        "decision": reverse("review-manage-decision", args=[call.pk]),
    }


@pytest.fixture
def review_actions(call, scheme_abc, reviewer):
    link = CallReviewer.objects.get(call=call, user=reviewer)
    submitted = scheme_abc["A"].assignments.first()
    return {
        "pool-add": reverse("review-manage-pool", args=[call.pk]),
        "pool-remove": reverse("review-manage-pool-remove", args=[call.pk, link.pk]),
        "pool-invite": reverse("review-manage-pool-invite", args=[call.pk, link.pk]),
        "auto-assign": reverse("review-manage-auto-assign", args=[call.pk]),
        "assign": reverse("review-manage-assign", args=[call.pk]),
        "consensus": reverse("review-manage-consensus", args=[scheme_abc["C"].pk]),
        "further": reverse("review-manage-application-assign", args=[scheme_abc["C"].pk]),
        "reopen": reverse("review-manage-reopen", args=[submitted.pk]),
        "propose": reverse("review-manage-propose", args=[call.pk]),
    }


def test_it_shows_every_page_to_the_manager(client_for, manager, review_pages):
    client = client_for(manager)
    for name, url in review_pages.items():
        assert client.get(url).status_code == 200, name


@pytest.mark.parametrize("persona", READERS)
def test_approvers_and_observers_read_but_cannot_act(
    client_for, request, review_pages, review_actions, persona, scheme_abc
):
    client = client_for(request.getfixturevalue(persona))
    for name, url in review_pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert b"Auto-assign</button>" not in response.content
        assert b"Record consensus</button>" not in response.content
    for name, url in review_actions.items():
        assert client.post(url, {"email": "x@example.org"}).status_code == 403, name
    assert Application.objects.get(pk=scheme_abc["C"].pk).state == "moderation"
    assert not ReviewAssignment.objects.filter(state="reopened").exists()


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_it_hides_every_page_and_action_from_outsiders(
    client_for, request, review_pages, review_actions, persona
):
    client = client_for(request.getfixturevalue(persona))
    for name, url in review_pages.items():
        assert client.get(url).status_code == 404, name
    for name, url in review_actions.items():
        assert client.post(url, {}).status_code == 404, name


def test_it_sends_anonymous_visitors_to_log_in(client, review_pages, review_actions):
    for url in [*review_pages.values(), *review_actions.values()]:
        response = client.get(url) if url in review_pages.values() else client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
