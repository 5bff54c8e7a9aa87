"""The programme staff's review pages: the review home, the reviewer pool and its invitations, the
assignment matrix. Who may open them: test_manage_access_pages.py."""

import re

from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.urls import reverse

from accounts.models import User
from applications.models import ReviewAssignment
from applications.services.review import assignments_auto_assign
from grants.models import CallReviewer
from tests import factories as f

# Access ------------------------------------------------------------------------------------


# The review home, the pool -----------------------------------------------------------------


def test_the_review_home_counts_by_state(client_for, manager, call, scheme_abc):
    page = client_for(manager).get(reverse("review-manage-call", args=[call.pk])).content.decode()
    assert re.search(r'data-state="reviewed"><strong>2</strong>', page)
    assert re.search(r'data-state="moderation"><strong>1</strong>', page)
    assert re.search(r'data-state="submitted"><strong>6</strong>', page)
    assert scheme_abc["C"].reference in page  # waiting for moderation


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
        f.eligible_application(call=call, manager=manager)
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


def test_the_matrix_shows_progress(client_for, manager, call, scheme_abc):
    page = client_for(manager).get(reverse("review-manage-matrix", args=[call.pk]))
    assert page.content.decode().count("2 of 2 reviews in") == 3


# Moderation ------------------------------------------------------------------------------


# Ranking -----------------------------------------------------------------------------------


# The decision ------------------------------------------------------------------------------


# The applicant's outcome -------------------------------------------------------------------


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
