"""The programme staff's review pages: the review home, the reviewer pool, the assignment
matrix, moderation, the ranking with its funding line, the reviewer analysis and the
maker–checker decision; and the applicant's outcome page.

The programme's manager reads and acts; its approver and donor observer read but cannot act
(403); a manager of another programme, applicants and reviewers get 404; anonymous visitors
are sent to log in."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from applications.models import Application, AwardList, ReviewAssignment
from applications.services.awards import award_list_propose
from applications.services.review import assignments_auto_assign
from grants.models import Call, CallReviewer
from tests import factories as f
from tests.web_review.conftest import eligible, score, start_call_review

OUTSIDERS = ["other_manager", "applicant_b", "reviewer"]
READERS = ["approver", "observer"]


@pytest.fixture
def scheme(call, manager, reviewer, second_reviewer):
    """Three applications, two reviewers each. Budget 15,000: A (82/90 → 86, asks 10,000) is
    funded, B (60/52 → 56, asks 10,000) does not fit and is in reserve, C (100 vs 20)
    diverges and waits for moderation."""
    Call.objects.filter(pk=call.pk).update(budget=Decimal("15000"))
    call.refresh_from_db()
    apps = {
        "A": eligible(call, manager, legal_name="Alpha Citizens", short_name="ALPHA"),
        "B": eligible(call, manager, legal_name="Beta Youth", short_name="BETA"),
        "C": eligible(call, manager, legal_name="Gamma Women", short_name="GAMMA"),
    }
    assignments_auto_assign(call=call, actor=manager)
    values = {"A": ((4, 4), (5, 4)), "B": ((3, 3), (3, 2)), "C": ((5, 5), (1, 1))}
    for key, (first, second) in values.items():
        for person, (relevance, feasibility) in ((reviewer, first), (second_reviewer, second)):
            score(
                apps[key].assignments.get(reviewer=person),
                {"Relevance": relevance, "Feasibility": feasibility},
                comment=f"{key} comment by {person.email.split('@')[0]}",
            )
    for app in apps.values():
        app.refresh_from_db()
    return apps


def _consensus_data(call, relevance="3", feasibility="3", justification="Agreed in the panel."):
    data = {}
    for criterion in call.criteria.all():
        data[f"score_{criterion.pk}"] = relevance if criterion.title == "Relevance" else feasibility
        data[f"justification_{criterion.pk}"] = justification
    return data


@pytest.fixture
def moderated(scheme, call, manager, client_for):
    response = client_for(manager).post(
        reverse("review-manage-consensus", args=[scheme["C"].pk]), _consensus_data(call)
    )
    assert response.status_code == 302
    return scheme


@pytest.fixture
def in_review(moderated, call, manager):
    start_call_review(call, manager)
    return moderated


# Access ------------------------------------------------------------------------------------


@pytest.fixture
def pages(call, scheme):
    return {
        "call": reverse("review-manage-call", args=[call.pk]),
        "pool": reverse("review-manage-pool", args=[call.pk]),
        "matrix": reverse("review-manage-matrix", args=[call.pk]),
        "application": reverse("review-manage-application", args=[scheme["C"].pk]),
        "ranking": reverse("review-manage-ranking", args=[call.pk]),
        "csv": reverse("review-manage-ranking-csv", args=[call.pk]),
        "analysis": reverse("review-manage-analysis", args=[call.pk]),
        "decision": reverse("review-manage-decision", args=[call.pk]),
    }


@pytest.fixture
def actions(call, scheme, reviewer):
    link = CallReviewer.objects.get(call=call, user=reviewer)
    submitted = scheme["A"].assignments.first()
    return {
        "pool-add": reverse("review-manage-pool", args=[call.pk]),
        "pool-remove": reverse("review-manage-pool-remove", args=[call.pk, link.pk]),
        "pool-invite": reverse("review-manage-pool-invite", args=[call.pk, link.pk]),
        "auto-assign": reverse("review-manage-auto-assign", args=[call.pk]),
        "assign": reverse("review-manage-assign", args=[call.pk]),
        "consensus": reverse("review-manage-consensus", args=[scheme["C"].pk]),
        "further": reverse("review-manage-application-assign", args=[scheme["C"].pk]),
        "reopen": reverse("review-manage-reopen", args=[submitted.pk]),
        "propose": reverse("review-manage-propose", args=[call.pk]),
    }


def test_it_shows_every_page_to_the_manager(client_for, manager, pages):
    client = client_for(manager)
    for name, url in pages.items():
        assert client.get(url).status_code == 200, name


@pytest.mark.parametrize("persona", READERS)
def test_approvers_and_observers_read_but_cannot_act(
    client_for, request, pages, actions, persona, scheme
):
    client = client_for(request.getfixturevalue(persona))
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert b"Auto-assign</button>" not in response.content
        assert b"Record consensus</button>" not in response.content
    for name, url in actions.items():
        assert client.post(url, {"email": "x@example.org"}).status_code == 403, name
    assert Application.objects.get(pk=scheme["C"].pk).state == "moderation"
    assert not ReviewAssignment.objects.filter(state="reopened").exists()


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_it_hides_every_page_and_action_from_outsiders(
    client_for, request, pages, actions, persona
):
    client = client_for(request.getfixturevalue(persona))
    for name, url in pages.items():
        assert client.get(url).status_code == 404, name
    for name, url in actions.items():
        assert client.post(url, {}).status_code == 404, name


def test_it_sends_anonymous_visitors_to_log_in(client, pages, actions):
    for url in [*pages.values(), *actions.values()]:
        response = client.get(url) if url in pages.values() else client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# The review home, the pool -----------------------------------------------------------------


def test_the_review_home_counts_by_state(client_for, manager, call, scheme):
    page = client_for(manager).get(reverse("review-manage-call", args=[call.pk])).content.decode()
    assert re.search(r'data-state="reviewed"><strong>2</strong>', page)
    assert re.search(r'data-state="moderation"><strong>1</strong>', page)
    assert re.search(r'data-state="submitted"><strong>6</strong>', page)
    assert scheme["C"].reference in page  # waiting for moderation


def test_it_adds_an_existing_user_to_the_pool(client_for, manager, call, applicant_b):
    response = client_for(manager).post(
        reverse("review-manage-pool", args=[call.pk]),
        {"email": "LEJLA@wnt.example", "country": "BA", "capacity": "5"},
    )
    assert response.status_code == 302
    link = CallReviewer.objects.get(call=call, user=applicant_b)
    assert (link.country, link.capacity, link.is_external) == ("BA", 5, True)
    assert mail.outbox == []  # they can log in already: no invitation


def test_it_invites_an_external_expert_who_sets_a_password(client_for, client, manager, call):
    response = client_for(manager).post(
        reverse("review-manage-pool", args=[call.pk]),
        {"email": "expert@eval.example", "full_name": "Ivana Expert", "country": "ME"},
        follow=True,
    )
    assert "An invitation to set a password was sent to expert@eval.example" in (
        response.content.decode()
    )
    expert = User.objects.get(email="expert@eval.example")
    assert not expert.has_usable_password()
    assert CallReviewer.objects.get(call=call, user=expert).is_external
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["expert@eval.example"]
    assert call.title in message.subject
    # Built from SITE_URL, never from the request's Host header.
    link = re.search(r"http://127.0.0.1:8000(/review/invitation/\S+/)", message.body).group(1)
    # The expert follows the link (in their own browser), sets a password, lands on reviews.
    client.logout()
    response = client.get(link, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {
            "new_password1": "a-long-unusual-passphrase",
            "new_password2": "a-long-unusual-passphrase",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("review-dashboard")
    expert.refresh_from_db()
    assert expert.check_password("a-long-unusual-passphrase")
    # The link works once.
    assert not default_token_generator.check_token(expert, link.rstrip("/").split("/")[-1])


def test_it_refuses_someone_already_in_the_pool(client_for, manager, call, reviewer):
    response = client_for(manager).post(
        reverse("review-manage-pool", args=[call.pk]), {"email": reviewer.email}
    )
    assert response.status_code == 400
    assert "already in the reviewer pool" in response.content.decode()


def test_it_removes_a_reviewer_only_without_open_assignments(
    client_for, manager, call, reviewer, spare_reviewer, application
):
    client = client_for(manager)
    link = CallReviewer.objects.get(call=call, user=reviewer)
    assignments_auto_assign(call=call, actor=manager)
    assert ReviewAssignment.objects.filter(reviewer=reviewer).exists()
    response = client.post(
        reverse("review-manage-pool-remove", args=[call.pk, link.pk]), follow=True
    )
    assert "still has 1 open assignments" in response.content.decode()
    assert CallReviewer.objects.filter(pk=link.pk).exists()
    idle = CallReviewer.objects.create(call=call, user=f.UserFactory())
    client.post(reverse("review-manage-pool-remove", args=[call.pk, idle.pk]))
    assert not CallReviewer.objects.filter(pk=idle.pk).exists()


# The matrix ------------------------------------------------------------------------------


def test_auto_assign_in_one_click(client_for, manager, call, reviewer, second_reviewer):
    for _ in range(2):
        eligible(call, manager)
    response = client_for(manager).post(
        reverse("review-manage-auto-assign", args=[call.pk]), follow=True
    )
    page = response.content.decode()
    assert "4 assignments created." in page
    assert ReviewAssignment.objects.count() == 4
    assert page.count("Awaiting declaration") == 4
    response = client_for(manager).post(
        reverse("review-manage-auto-assign", args=[call.pk]), follow=True
    )
    assert "0 assignments created." in response.content.decode()


def test_manual_assignment_shows_the_exclusion(client_for, manager, call, application, reviewer):
    f.MembershipFactory(user=reviewer, organisation=application.organisation)
    response = client_for(manager).post(
        reverse("review-manage-assign", args=[call.pk]),
        {"application": application.pk, "reviewer": reviewer.pk},
    )
    assert response.status_code == 400
    assert "member of the applicant organisation" in response.content.decode()
    assert not ReviewAssignment.objects.exists()


def test_manual_assignment(client_for, manager, call, application, reviewer):
    response = client_for(manager).post(
        reverse("review-manage-assign", args=[call.pk]),
        {"application": application.pk, "reviewer": reviewer.pk},
        follow=True,
    )
    assert "is assigned to" in response.content.decode()
    assert application.assignments.get().reviewer == reviewer


def test_the_matrix_shows_progress(client_for, manager, call, scheme):
    page = client_for(manager).get(reverse("review-manage-matrix", args=[call.pk]))
    assert page.content.decode().count("2 of 2 reviews in") == 3


# Moderation ------------------------------------------------------------------------------


def test_the_moderation_page_puts_reviews_side_by_side(client_for, manager, scheme):
    page = (
        client_for(manager)
        .get(reverse("review-manage-application", args=[scheme["C"].pk]))
        .content.decode()
    )
    assert "C comment by expert" in page and "C comment by second" in page
    assert "Second Expert" in page  # names are visible to the manager
    assert "3.00" in page  # the mean of 5 and 1
    assert "Record consensus" in page


def test_consensus_needs_a_justification_for_a_changed_score(client_for, manager, call, scheme):
    client = client_for(manager)
    url = reverse("review-manage-consensus", args=[scheme["C"].pk])
    response = client.post(url, _consensus_data(call, relevance="4", justification=""))
    assert response.status_code == 400
    assert "Justify the change of “Relevance”." in response.content.decode()
    assert Application.objects.get(pk=scheme["C"].pk).state == "moderation"
    response = client.post(url, _consensus_data(call, relevance="4"))
    assert response.status_code == 302
    assert Application.objects.get(pk=scheme["C"].pk).state == "reviewed"


def test_the_moderator_adds_a_further_reviewer(client_for, manager, scheme, spare_reviewer):
    response = client_for(manager).post(
        reverse("review-manage-application-assign", args=[scheme["C"].pk]),
        {"application": scheme["C"].pk, "reviewer": spare_reviewer.pk},
    )
    assert response.status_code == 302
    assert scheme["C"].assignments.filter(reviewer=spare_reviewer, state="invited").exists()
    assert Application.objects.get(pk=scheme["C"].pk).state == "in_review"


def test_the_moderator_reopens_a_review(client_for, manager, scheme, reviewer):
    assignment = scheme["A"].assignments.get(reviewer=reviewer)
    response = client_for(manager).post(
        reverse("review-manage-reopen", args=[assignment.pk]), {"comment": "Recheck the budget"}
    )
    assert response.status_code == 302
    assert ReviewAssignment.objects.get(pk=assignment.pk).state == "reopened"
    assert Application.objects.get(pk=scheme["A"].pk).state == "in_review"
    page = client_for(reviewer).get(reverse("review-assignment", args=[assignment.pk]))
    assert "Recheck the budget" in page.content.decode()
    assert 'id="review-form"' in page.content.decode()


# Ranking -----------------------------------------------------------------------------------


def test_the_ranking_draws_the_funding_line(client_for, manager, call, moderated):
    page = client_for(manager).get(reverse("review-manage-ranking", args=[call.pk]))
    html = page.content.decode().split('id="ranking"')[1]
    order = [moderated[k].reference for k in ("A", "B", "C")]
    positions = [html.index(ref) for ref in order]
    line = html.index('id="funding-line"')
    # A (86.00, award) above the line; C (60.00 consensus) and B (56.00) below, in reserve.
    assert positions[0] < line < positions[2] < positions[1]
    assert "86.00" in html and "60.00" in html and "56.00" in html
    assert "consensus score" in html
    assert "Tie-break:" in page.content.decode()
    assert "5,000.00 EUR" in page.content.decode()  # remaining


def test_the_ranking_takes_a_pinned_number_of_queries(
    client_for, call, manager, reviewer, second_reviewer, django_assert_num_queries
):
    client = client_for(manager)

    def count(n):
        apps = [eligible(call, manager) for _ in range(n)]
        assignments_auto_assign(call=call, actor=manager)
        for app in apps:
            for a in app.assignments.all():
                score(a, {"Relevance": 4, "Feasibility": 3})
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("review-manage-ranking", args=[call.pk])).status_code == 200
        return len(queries)

    assert count(2) == count(6)
    # session, user, the user's roles (3), the call, the ranking (3)
    with django_assert_num_queries(10):
        client.get(reverse("review-manage-ranking", args=[call.pk]))


def test_the_csv_export_is_named_after_the_call(client_for, manager, call, moderated):
    Application.objects.filter(pk=moderated["B"].pk).update(title="x")
    moderated["B"].organisation.legal_name = '=HYPERLINK("http://evil")'
    moderated["B"].organisation.save()
    response = client_for(manager).get(reverse("review-manage-ranking-csv", args=[call.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="NAT-ranking.csv"'
    text = response.content.decode("utf-8-sig")
    assert text.startswith("rank,reference,applicant")
    assert "second@reviewers.example" in text  # every reviewer's scores
    assert "'=HYPERLINK" in text


def test_the_reviewer_analysis_is_labelled_as_analysis(client_for, manager, call, moderated):
    page = client_for(manager).get(reverse("review-manage-analysis", args=[call.pk]))
    html = page.content.decode()
    assert "Analysis only: this page never changes the official ranking." in html
    assert "Second Expert" in html


# The decision ------------------------------------------------------------------------------


def test_a_lower_amount_needs_a_reason(client_for, manager, call, in_review):
    url = reverse("review-manage-propose", args=[call.pk])
    pk = in_review["A"].pk
    response = client_for(manager).post(url, {f"amount_{pk}": "9000.00", f"reason_{pk}": ""})
    assert response.status_code == 400
    assert "Give the reason for lowering the amount." in response.content.decode()
    response = client_for(manager).post(url, {f"amount_{pk}": "12000", f"reason_{pk}": "x"})
    assert response.status_code == 400
    assert "can be lowered, not raised" in response.content.decode()
    assert not AwardList.objects.exists()


def test_the_proposer_cannot_approve_and_the_approver_can(
    client_for, manager, approver, applicant_a, call, in_review
):
    pk = in_review["A"].pk
    client = client_for(manager)
    response = client.post(
        reverse("review-manage-propose", args=[call.pk]),
        {f"amount_{pk}": "9500", f"reason_{pk}": "Equipment not eligible", "comment": "As ranked"},
    )
    assert response.status_code == 302
    award_list = AwardList.objects.get()
    page = client.get(reverse("review-manage-decision", args=[call.pk])).content.decode()
    assert "you cannot approve it" in page
    assert "Approve the award list</button>" not in page

    response = client.post(reverse("review-manage-approve", args=[award_list.pk]))
    assert response.status_code == 403
    assert "The person who proposed the list cannot approve it." in response.content.decode()
    assert AwardList.objects.get().state == "proposed"

    client = client_for(approver)
    page = client.get(reverse("review-manage-decision", args=[call.pk])).content.decode()
    assert "Approve the award list</button>" in page
    response = client.post(
        reverse("review-manage-approve", args=[award_list.pk]), {"comment": "Fine"}, follow=True
    )
    page = response.content.decode()
    assert "The award list is approved." in page
    assert "9,500.00 EUR" in page
    states = {k: Application.objects.get(pk=a.pk).state for k, a in in_review.items()}
    assert states == {"A": "awarded", "B": "reserve", "C": "reserve"}


def test_an_observer_cannot_approve(client_for, manager, observer, call, in_review):
    award_list = award_list_propose(call=call, actor=manager)
    response = client_for(observer).post(reverse("review-manage-approve", args=[award_list.pk]))
    assert response.status_code == 403
    assert AwardList.objects.get().state == "proposed"


def test_the_approver_returns_the_list_with_a_comment(
    client_for, manager, approver, call, in_review
):
    award_list = award_list_propose(call=call, actor=manager)
    client = client_for(approver)
    url = reverse("review-manage-return", args=[award_list.pk])
    response = client.post(url, {"comment": ""})
    assert response.status_code == 400
    assert "Say what should change." in response.content.decode()
    response = client.post(url, {"comment": "Check B's budget"}, follow=True)
    assert "Check B&#x27;s budget" in response.content.decode()
    assert AwardList.objects.get().state == "returned"
    assert set(Application.objects.values_list("state", flat=True)) == {"reviewed"}


# The applicant's outcome -------------------------------------------------------------------


def test_the_applicant_sees_the_outcome_without_reviewer_names(
    client_for, manager, approver, call, in_review
):
    a = in_review["A"]
    member = a.organisation.members.first()
    url = reverse("review-outcome", args=[a.pk])
    assert "No decision yet" in client_for(member).get(url).content.decode()
    award_list = award_list_propose(call=call, actor=manager)
    from applications.services.awards import award_list_approve

    award_list_approve(award_list=award_list, actor=approver)
    page = client_for(member).get(url).content.decode()
    assert "Your application is awarded a grant" in page
    assert "10,000.00 EUR" in page
    assert "Total score: 86.00" in page
    assert "A comment by expert" in page  # the comments, without who wrote them
    assert "@reviewers.example" not in page and "Second Expert" not in page
    b_member = in_review["B"].organisation.members.first()
    page = client_for(b_member).get(reverse("review-outcome", args=[in_review["B"].pk]))
    assert "reserve list" in page.content.decode()


@pytest.mark.parametrize("persona", ["applicant_b", "reviewer", "manager", "other_manager"])
def test_the_outcome_is_for_the_applicant_only(client_for, request, application, persona):
    url = reverse("review-outcome", args=[application.pk])
    assert client_for(request.getfixturevalue(persona)).get(url).status_code == 404


def test_the_outcome_sends_anonymous_visitors_to_log_in(client, application):
    response = client.get(reverse("review-outcome", args=[application.pk]))
    assert response.status_code == 302


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_cannot_decide_on_an_award_list(
    client_for, request, manager, call, in_review, persona
):
    award_list = award_list_propose(call=call, actor=manager)
    client = client_for(request.getfixturevalue(persona))
    for name in ("review-manage-approve", "review-manage-return"):
        response = client.post(reverse(name, args=[award_list.pk]), {"comment": "x"})
        assert response.status_code == 404, name
    assert AwardList.objects.get().state == "proposed"


def test_the_invitation_can_be_sent_again(client_for, manager, call):
    client = client_for(manager)
    client.post(reverse("review-manage-pool", args=[call.pk]), {"email": "late@eval.example"})
    link = CallReviewer.objects.get(user__email="late@eval.example")
    response = client.post(
        reverse("review-manage-pool-invite", args=[call.pk, link.pk]), follow=True
    )
    assert "The invitation was sent again to late@eval.example." in response.content.decode()
    assert [m.to for m in mail.outbox] == [["late@eval.example"], ["late@eval.example"]]


def test_a_failed_invitation_is_said_and_can_be_sent_again(client_for, manager, call, monkeypatch):
    from django.core.mail import EmailMessage

    def down(self, *args, **kwargs):
        raise ConnectionRefusedError("SMTP server down")

    with monkeypatch.context() as patch:
        patch.setattr(EmailMessage, "send", down)
        response = client_for(manager).post(
            reverse("review-manage-pool", args=[call.pk]),
            {"email": "late@eval.example"},
            follow=True,
        )
    assert "the invitation could not be sent" in response.content.decode()
    assert CallReviewer.objects.filter(user__email="late@eval.example").exists()  # kept
    assert mail.outbox == []
