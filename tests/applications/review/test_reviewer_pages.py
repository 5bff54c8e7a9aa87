"""The reviewer's pages: the dashboard, the conflict-of-interest gate, the review form with
autosave and submit, attachments behind the gate, and the other reviews after submitting.
Everyone who is not the assigned reviewer gets 404 (anonymous visitors are sent to log in)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Review, ReviewAssignment, Score
from applications.services.review import assignments_auto_assign
from grants.models import Call
from tests import factories as f
from tests.samples import HTMX, PDF_BYTES

ANSWER = "A clear and complete answer."
APPLICANT = "Youth Initiative Novi Sad"


def _pages(assignment, attachment_id=1):
    return {
        "assignment": ("get", reverse("review-assignment", args=[assignment.pk])),
        "declare": ("post", reverse("review-declare", args=[assignment.pk])),
        "decline": ("post", reverse("review-decline", args=[assignment.pk])),
        "save": ("post", reverse("review-save", args=[assignment.pk])),
        "submit": ("post", reverse("review-submit", args=[assignment.pk])),
        "attachment": (
            "get",
            reverse("review-attachment", args=[assignment.pk, attachment_id]),
        ),
    }


@pytest.fixture
def statute(application):
    return application.attachments.get()


def _scores(call, **values):
    """The form's fields for scores by criterion title: Relevance=("4", "Good")."""
    data = {}
    for criterion in call.criteria.all():
        value, comment = values.get(criterion.title, ("", ""))
        data[f"score_{criterion.pk}"] = value
        data[f"comment_{criterion.pk}"] = comment
    return data


# Dashboard -----------------------------------------------------------------------------------


def test_it_lists_the_reviewers_assignments(client_for, reviewer, assignment, call):
    response = client_for(reviewer).get(reverse("review-dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    assert assignment.application.title in page
    assert call.title in page
    assert APPLICANT in page  # not blind: the name helps to spot a conflict
    assert "0 of 2 scored" in page
    assert "Awaiting declaration" in page


def test_it_shows_nothing_to_someone_with_no_assignment(client_for, spare_reviewer, assignment):
    response = client_for(spare_reviewer).get(reverse("review-dashboard"))
    assert response.status_code == 200
    assert assignment.application.title not in response.content.decode()


def test_it_sends_anonymous_visitors_to_log_in(client, assignment):
    for method, url in [("get", reverse("review-dashboard")), *_pages(assignment).values()]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "persona", ["second_reviewer", "spare_reviewer", "applicant_a", "manager", "other_manager"]
)
def test_it_hides_someone_elses_assignment(client_for, request, assignment, statute, persona):
    client = client_for(request.getfixturevalue(persona))
    for method, url in _pages(assignment, statute.pk).values():
        assert getattr(client, method)(url).status_code == 404, url
    assert ReviewAssignment.objects.get(pk=assignment.pk).state == "invited"


def test_the_dashboard_takes_a_pinned_number_of_queries(
    client_for, call, manager, reviewer, django_assert_num_queries
):
    Call.objects.filter(pk=call.pk).update(reviewers_per_application=1)
    call.refresh_from_db()
    client = client_for(reviewer)

    def count(n):
        for _ in range(n):
            f.eligible_application(call=call, manager=manager)
        assignments_auto_assign(call=call, actor=manager)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("review-dashboard")).status_code == 200
        return len(queries)

    with_two = count(2)
    with_eight = count(6)
    assert ReviewAssignment.objects.filter(reviewer=reviewer).count() == 8
    assert with_two == with_eight
    # session, user, the user's roles for the header (3), the assignments with their call
    # and progress
    with django_assert_num_queries(7):
        client.get(reverse("review-dashboard"))


# The conflict-of-interest gate ---------------------------------------------------------------


def test_it_shows_only_title_call_and_due_date_before_the_declaration(
    client_for, reviewer, assignment, statute
):
    client = client_for(reviewer)
    page = client.get(reverse("review-assignment", args=[assignment.pk])).content.decode()
    assert assignment.application.title in page
    assert "Conflict of interest" in page
    assert "I have no conflict of interest with this application" in page
    assert ANSWER not in page
    assert "Budget" not in page
    assert "statute" not in page.lower()
    assert 'id="review-form"' not in page
    download = reverse("review-attachment", args=[assignment.pk, statute.pk])
    assert client.get(download).status_code == 404


def test_it_refuses_to_save_a_review_before_the_declaration(client_for, reviewer, assignment):
    response = client_for(reviewer).post(
        reverse("review-save", args=[assignment.pk]), {"version": 1}, **HTMX
    )
    assert response.status_code == 404
    assert not Review.objects.exists()


def test_it_opens_the_content_after_declaring_no_conflict(
    client_for, reviewer, assignment, statute
):
    client = client_for(reviewer)
    response = client.post(reverse("review-declare", args=[assignment.pk]), {"conflict": "no"})
    assert response.status_code == 302
    assert ReviewAssignment.objects.get(pk=assignment.pk).state == "accepted"
    page = client.get(reverse("review-assignment", args=[assignment.pk])).content.decode()
    assert ANSWER in page
    assert "9,000.00 EUR" in page  # budget with its totals
    assert "YINS-statute.pdf" in page
    assert 'id="review-form"' in page
    download = client.get(reverse("review-attachment", args=[assignment.pk, statute.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert 'filename="YINS-statute.pdf"' in download["Content-Disposition"]


def test_it_needs_a_choice_and_a_reason_for_a_conflict(client_for, reviewer, assignment):
    client = client_for(reviewer)
    url = reverse("review-declare", args=[assignment.pk])
    response = client.post(url, {})
    assert response.status_code == 400
    assert "Choose one of the two declarations." in response.content.decode()
    response = client.post(url, {"conflict": "yes", "reason": "  "})
    assert response.status_code == 400
    assert "Describe the conflict of interest." in response.content.decode()
    assert ReviewAssignment.objects.get(pk=assignment.pk).state == "invited"


def test_a_conflict_declaration_assigns_a_replacement(
    client_for, reviewer, assignment, spare_reviewer, statute
):
    client = client_for(reviewer)
    response = client.post(
        reverse("review-declare", args=[assignment.pk]),
        {"conflict": "yes", "reason": "I sit on their board."},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("review-dashboard")
    assignment.refresh_from_db()
    assert assignment.state == "recused"
    assert assignment.conflict_reason == "I sit on their board."
    replacement = assignment.application.assignments.get(reviewer=spare_reviewer)
    assert replacement.state == "invited"
    # The recused reviewer never sees the content.
    page = client.get(reverse("review-assignment", args=[assignment.pk])).content.decode()
    assert ANSWER not in page
    assert "Recused" in page
    download = reverse("review-attachment", args=[assignment.pk, statute.pk])
    assert client.get(download).status_code == 404


def test_declining_assigns_a_replacement(client_for, reviewer, assignment, spare_reviewer):
    response = client_for(reviewer).post(
        reverse("review-decline", args=[assignment.pk]), {"reason": "On leave"}
    )
    assert response.status_code == 302
    assert ReviewAssignment.objects.get(pk=assignment.pk).state == "declined"
    assert assignment.application.assignments.filter(reviewer=spare_reviewer).exists()


# Blind review --------------------------------------------------------------------------------


def test_blind_review_hides_the_applicant_before_and_after_declaring(
    client_for, call, reviewer, assignment, statute
):
    Call.objects.filter(pk=call.pk).update(blind_review=True)
    client = client_for(reviewer)
    page_url = reverse("review-assignment", args=[assignment.pk])
    for url in (reverse("review-dashboard"), page_url):
        page = client.get(url).content.decode()
        assert APPLICANT not in page and "YINS" not in page
        assert "Hidden (blind review)" in page
    client.post(reverse("review-declare", args=[assignment.pk]), {"conflict": "no"})
    page = client.get(page_url).content.decode()
    assert ANSWER in page  # the content is open…
    assert APPLICANT not in page and "YINS" not in page  # …without the identity
    download = client.get(reverse("review-attachment", args=[assignment.pk, statute.pk]))
    assert download.status_code == 200
    assert "YINS" not in download["Content-Disposition"]


def test_blind_review_hides_partner_names(client_for, call, reviewer, accepted, org_b):
    f.PartnerFactory(application=accepted.application, organisation=org_b, role="Co-host")
    Call.objects.filter(pk=call.pk).update(blind_review=True)
    page = client_for(reviewer).get(reverse("review-assignment", args=[accepted.pk]))
    assert "Women&#x27;s Network Tuzla" not in page.content.decode()
    assert "Partner 1" in page.content.decode()


# The review form: autosave -----------------------------------------------------------------


def test_autosave_keeps_blank_as_blank(client_for, call, reviewer, accepted):
    response = client_for(reviewer).post(
        reverse("review-save", args=[accepted.pk]),
        {"version": 1, **_scores(call, Relevance=("4", "Strong need")), "recommendation": ""},
        **HTMX,
    )
    assert response.status_code == 200
    assert "Saved at" in response.content.decode()
    assert 'id="review_version" value="2"' in response.content.decode()
    scores = {s.criterion.title: s for s in Score.objects.select_related("criterion")}
    assert scores["Relevance"].score == 4
    assert scores["Relevance"].comment == "Strong need"
    assert scores["Feasibility"].score is None  # blank, never 0


def test_autosave_shows_a_rule_problem_next_to_the_field(client_for, call, reviewer, accepted):
    relevance = call.criteria.get(title="Relevance")
    response = client_for(reviewer).post(
        reverse("review-save", args=[accepted.pk]),
        {"version": 1, **_scores(call, Relevance=("4.25", "Hmm"))},
        **HTMX,
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Not saved" in page
    slot = page.split(f'id="errors-score_{relevance.pk}"')[1].split("</div>")[0]
    assert "steps of 0.5" in slot
    assert not Score.objects.exists()


def test_autosave_refuses_a_stale_version_without_wiping_the_form(
    client_for, call, reviewer, accepted
):
    client = client_for(reviewer)
    url = reverse("review-save", args=[accepted.pk])
    client.post(url, {"version": 1, **_scores(call, Relevance=("3", "first tab"))}, **HTMX)
    response = client.post(
        url, {"version": 1, **_scores(call, Relevance=("5", "second tab"))}, **HTMX
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "saved elsewhere" in page
    assert 'id="review-form"' not in page  # only the status is swapped: the form stays
    assert Score.objects.get(criterion__title="Relevance").comment == "first tab"
    # Without JavaScript the page comes back with what was typed.
    response = client.post(url, {"version": 1, **_scores(call, Relevance=("5", "second tab"))})
    assert response.status_code == 409
    assert "second tab" in response.content.decode()


def test_saving_without_javascript_redirects_back(client_for, call, reviewer, accepted):
    client = client_for(reviewer)
    response = client.post(
        reverse("review-save", args=[accepted.pk]),
        {"version": 1, **_scores(call, Feasibility=("2.5", "ok")), "recommendation": "reserve"},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Saved at" in page
    assert 'value="2.5"' in page


# Submit --------------------------------------------------------------------------------------


def test_submit_lists_every_problem_at_once_and_keeps_the_text(
    client_for, call, reviewer, accepted
):
    response = client_for(reviewer).post(
        reverse("review-submit", args=[accepted.pk]),
        {"version": 1, **_scores(call, Relevance=("4", "")), "overall_comment": "Keep me"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    for problem in (
        "Comment on “Relevance”.",
        "Score “Feasibility”.",
        "Comment on “Feasibility”.",
        "Choose a recommendation.",
    ):
        assert problem in page
    assert "Keep me" in page
    assert 'name="version" value="2"' in page  # saved: the form goes on from the new version
    assert ReviewAssignment.objects.get(pk=accepted.pk).state == "accepted"


def test_submit_locks_the_review(client_for, call, reviewer, accepted):
    client = client_for(reviewer)
    url = reverse("review-submit", args=[accepted.pk])
    data = {
        "version": 1,
        **_scores(call, Relevance=("4", "Clear need"), Feasibility=("3.5", "Realistic plan")),
        "overall_comment": "Good project",
        "recommendation": "fund",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert ReviewAssignment.objects.get(pk=accepted.pk).state == "submitted"
    page = client.get(reverse("review-assignment", args=[accepted.pk])).content.decode()
    assert 'id="review-form"' not in page
    assert "Your review is locked" in page
    assert "Realistic plan" in page
    # A second click changes nothing; a later autosave is refused.
    assert client.post(url, data).status_code == 302
    response = client.post(reverse("review-save", args=[accepted.pk]), data, **HTMX)
    assert response.status_code == 409
    assert Score.objects.get(criterion__title="Relevance").score == 4


def test_other_reviews_show_only_after_submitting_and_without_names(
    client_for, call, reviewer, second_reviewer, accepted
):
    other = accepted.application.assignments.get(reviewer=second_reviewer)
    f.score(other, {"Relevance": 2, "Feasibility": 2}, comment="Vague activities")
    client = client_for(reviewer)
    page_url = reverse("review-assignment", args=[accepted.pk])
    assert "Vague activities" not in client.get(page_url).content.decode()
    f.score(accepted, {"Relevance": 4, "Feasibility": 4})
    page = client.get(page_url).content.decode()
    assert "Vague activities" in page
    assert "Reviewer 1" in page
    assert "second@reviewers.example" not in page and "Second Expert" not in page


def test_other_reviews_stay_hidden_when_the_call_says_never(
    client_for, call, reviewer, second_reviewer, accepted
):
    Call.objects.filter(pk=call.pk).update(other_reviews_visible="never")
    f.score(
        accepted.application.assignments.get(reviewer=second_reviewer),
        {"Relevance": 2, "Feasibility": 2},
        comment="Vague activities",
    )
    f.score(accepted, {"Relevance": 4, "Feasibility": 4})
    page = client_for(reviewer).get(reverse("review-assignment", args=[accepted.pk]))
    assert "Vague activities" not in page.content.decode()


def test_it_confirms_a_second_press_of_submit_instead_of_an_error(client, assignment, reviewer):
    """A double click (or a second tab) finds the review submitted: the reviewer is told it
    is submitted, as after the first press."""
    f.score(assignment, {"Relevance": 4, "Feasibility": 3})
    client.force_login(reviewer)

    response = client.post(f"/review/assignments/{assignment.pk}/submit/", follow=True)

    assert "Your review is submitted." in response.content.decode()
    assert "already submitted" not in response.content.decode()
