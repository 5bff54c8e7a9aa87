"""The page of an organisation's people: members see it, administrators change it, nobody
else knows it exists. An existing account is invited and answers on its dashboard."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse

from accounts.models import User
from grants.models import Membership, MembershipInvitation
from grants.services.organisations import membership_invite
from tests import factories as f


def page_url(organisation) -> str:
    return reverse("organisation-members", args=[organisation.pk])


def invite(organisation, admin, user, role="member") -> MembershipInvitation:
    return membership_invite(
        organisation=organisation, actor=admin, email=user.email, role=role
    ).invitation


def answer_url(invitation, answer: str) -> str:
    return reverse(f"membership-invitation-{answer}", args=[invitation.pk])


def withdraw_url(invitation) -> str:
    return reverse(
        "organisation-invitation-withdraw", args=[invitation.organisation_id, invitation.pk]
    )


def flashed(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def membership_of(user, organisation) -> Membership:
    return Membership.objects.get(user=user, organisation=organisation)


def test_the_dashboard_links_to_the_people_of_each_organisation(client_for, colleague_a, org_a):
    body = client_for(colleague_a).get(reverse("dashboard")).content.decode()
    assert f'href="{page_url(org_a)}"' in body


def test_a_member_sees_who_belongs_and_in_which_role(client_for, colleague_a, applicant_a, org_a):
    response = client_for(colleague_a).get(page_url(org_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert applicant_a.email in body and colleague_a.email in body
    assert "Administrator" in body and "Member" in body
    assert "Invite a colleague" not in body  # only administrators change anything
    assert f'action="{page_url(org_a)}' not in body  # no form posts to the page or its rows


def test_an_outsider_gets_404_everywhere(client_for, client, applicant_b, applicant_a, org_a):
    admin = membership_of(applicant_a, org_a)
    invitation = invite(org_a, applicant_a, f.UserFactory())
    outsider = client_for(applicant_b)
    assert outsider.get(page_url(org_a)).status_code == 404
    assert outsider.post(page_url(org_a), {"email": "x@evil.example"}).status_code == 404
    for name in ("role", "remove", "invite"):
        url = reverse(f"organisation-member-{name}", args=[org_a.pk, admin.pk])
        assert outsider.post(url, {"role": "member"}).status_code == 404
    assert outsider.post(withdraw_url(invitation)).status_code == 404
    assert outsider.post(answer_url(invitation, "accept")).status_code == 404
    assert outsider.post(answer_url(invitation, "decline")).status_code == 404
    assert membership_of(applicant_a, org_a).role == "admin"
    assert not User.objects.filter(email="x@evil.example").exists()
    assert MembershipInvitation.objects.get().is_open
    assert not Membership.objects.filter(user=applicant_b, organisation=org_a).exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, org_a):
    response = client.get(page_url(org_a))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_plain_member_cannot_change_anything(client_for, colleague_a, applicant_a, org_a):
    admin = membership_of(applicant_a, org_a)
    client = client_for(colleague_a)
    assert client.post(page_url(org_a), {"email": "x@yins.example"}).status_code == 403
    role_url = reverse("organisation-member-role", args=[org_a.pk, admin.pk])
    assert client.post(role_url, {"role": "member"}).status_code == 403
    remove_url = reverse("organisation-member-remove", args=[org_a.pk, admin.pk])
    assert client.post(remove_url).status_code == 403
    mine = membership_of(colleague_a, org_a)
    promote = reverse("organisation-member-role", args=[org_a.pk, mine.pk])
    assert client.post(promote, {"role": "admin"}).status_code == 403
    invitation = invite(org_a, applicant_a, f.UserFactory(email="x@wnt.example"))
    body = client.get(page_url(org_a)).content.decode()
    assert "x@wnt.example" in body  # a member sees who was invited
    assert withdraw_url(invitation) not in body  # and cannot withdraw it
    assert client.post(withdraw_url(invitation)).status_code == 403
    assert client.post(answer_url(invitation, "accept")).status_code == 404  # not theirs
    assert membership_of(applicant_a, org_a).role == "admin"
    assert membership_of(colleague_a, org_a).role == "member"
    assert not User.objects.filter(email="x@yins.example").exists()
    assert MembershipInvitation.objects.get().is_open


def test_an_admin_invites_a_new_address_who_sets_a_password(
    client_for, client, applicant_a, org_a, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(applicant_a).post(
            page_url(org_a),
            {"email": "jelena@yins.example", "full_name": "Jelena Petrović", "role": "member"},
            follow=True,
        )
    body = response.content.decode()
    assert flashed(response) == ["Invitation sent to jelena@yins.example."]
    assert "Invited: password not set yet" in body
    jelena = User.objects.get(email="jelena@yins.example")
    assert membership_of(jelena, org_a).role == "member"
    assert [m.to for m in mailoutbox] == [["jelena@yins.example"]]
    site = re.escape(settings.SITE_URL.rstrip("/"))
    link = re.search(rf"{site}(/accounts/invitation/\S+/)", mailoutbox[0].body).group(1)

    # Jelena follows the link in her own browser, sets a password and sees her organisation.
    client.logout()
    response = client.get(link, follow=True)
    assert response.status_code == 200
    response = client.post(
        response.redirect_chain[-1][0],
        {
            "new_password1": "a-long-unusual-passphrase",
            "new_password2": "a-long-unusual-passphrase",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert "Your password is set. Welcome to Regrant." in response.content.decode()
    assert "Youth Initiative Novi Sad" in response.content.decode()
    jelena.refresh_from_db()
    assert jelena.check_password("a-long-unusual-passphrase")
    assert not default_token_generator.check_token(jelena, link.rstrip("/").split("/")[-1])


def test_an_existing_account_is_invited_and_listed_by_email_only(
    client_for, applicant_a, applicant_b, org_a, django_capture_on_commit_callbacks, mailoutbox
):
    User.objects.filter(pk=applicant_b.pk).update(full_name="Lejla Hodžić")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(applicant_a).post(
            page_url(org_a),
            {"email": applicant_b.email, "full_name": "Whatever I typed", "role": "admin"},
            follow=True,
        )
    assert response.redirect_chain[-1][0] == page_url(org_a)
    assert flashed(response) == [f"Invitation sent to {applicant_b.email}."]
    body = response.content.decode()
    assert "Lejla Hodžić" not in body  # their name is theirs to share, once they accept
    assert "Whatever I typed" not in body
    invitations = re.search(r'<table class="responsive" id="invitations">.*?</table>', body, re.S)
    assert applicant_b.email in invitations.group(0)
    assert "Administrator" in invitations.group(0)
    members = re.search(r'<table class="responsive" id="members">.*?</table>', body, re.S)
    assert applicant_b.email not in members.group(0)  # not among the members
    assert not Membership.objects.filter(user=applicant_b, organisation=org_a).exists()
    assert MembershipInvitation.objects.get().user == applicant_b
    assert [m.to for m in mailoutbox] == [[applicant_b.email]]  # the notification
    assert User.objects.get(pk=applicant_b.pk).full_name == "Lejla Hodžić"  # untouched


def test_the_admin_is_told_the_same_for_a_new_and_an_existing_address(
    client_for, applicant_a, applicant_b, org_a
):
    client = client_for(applicant_a)
    answers = {}
    for email in ("newcomer@yins.example", applicant_b.email):
        response = client.post(page_url(org_a), {"email": email, "role": "member"}, follow=True)
        assert response.status_code == 200
        answers[email] = [m.replace(email, "<email>") for m in flashed(response)]
    assert answers["newcomer@yins.example"] == answers[applicant_b.email]
    assert answers[applicant_b.email] == ["Invitation sent to <email>."]


def test_inviting_someone_invited_already_is_refused_on_the_form(
    client_for, applicant_a, applicant_b, org_a
):
    invite(org_a, applicant_a, applicant_b)
    response = client_for(applicant_a).post(
        page_url(org_a), {"email": applicant_b.email, "role": "admin"}
    )
    assert response.status_code == 400
    assert (
        f"{applicant_b.email} is already invited to YINS: they join once they accept."
        in response.content.decode()
    )
    assert MembershipInvitation.objects.get().role == "member"


def test_the_invitee_accepts_on_the_dashboard(client_for, applicant_a, applicant_b, org_a):
    invitation = invite(org_a, applicant_a, applicant_b, role="admin")
    client = client_for(applicant_b)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Invitations to join an organisation" in body
    assert (
        f"{applicant_a.display_name} invited you to join <strong>Youth Initiative Novi Sad"
        "</strong> as an administrator." in body
    )
    assert f'action="{answer_url(invitation, "accept")}"' in body
    assert f'action="{answer_url(invitation, "decline")}"' in body
    assert client.get(answer_url(invitation, "accept")).status_code == 405  # a POST only
    response = client.post(answer_url(invitation, "accept"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert flashed(response) == ["You joined YINS as an administrator."]
    body = response.content.decode()
    assert "Invitations to join an organisation" not in body
    assert f'href="{page_url(org_a)}"' in body  # among their organisations now
    assert membership_of(applicant_b, org_a).role == "admin"
    # Answering again changes nothing.
    response = client.post(answer_url(invitation, "decline"), follow=True)
    assert flashed(response) == ["You answered this invitation already."]
    assert membership_of(applicant_b, org_a).role == "admin"


def test_the_invitee_declines_on_the_dashboard(client_for, applicant_a, applicant_b, org_a):
    invitation = invite(org_a, applicant_a, applicant_b)
    client = client_for(applicant_b)
    response = client.post(answer_url(invitation, "decline"), follow=True)
    assert flashed(response) == [
        "You declined the invitation to join YINS.",
    ]
    assert "Invitations to join an organisation" not in response.content.decode()
    assert not Membership.objects.filter(user=applicant_b, organisation=org_a).exists()
    assert client.get(page_url(org_a)).status_code == 404


def test_nobody_else_answers_an_invitation(
    client_for, applicant_a, colleague_a, applicant_b, org_a
):
    invitation = invite(org_a, applicant_a, applicant_b)
    for who in (applicant_a, colleague_a):
        client = client_for(who)
        assert client.post(answer_url(invitation, "accept")).status_code == 404
        assert client.post(answer_url(invitation, "decline")).status_code == 404
    assert MembershipInvitation.objects.get().is_open
    assert not Membership.objects.filter(user=applicant_b, organisation=org_a).exists()


def test_an_admin_withdraws_an_invitation(client_for, applicant_a, applicant_b, org_a):
    invitation = invite(org_a, applicant_a, applicant_b)
    client = client_for(applicant_a)
    body = client.get(page_url(org_a)).content.decode()
    assert f'action="{withdraw_url(invitation)}"' in body
    assert f'Withdraw<span class="visually-hidden"> the invitation to {applicant_b.email}' in body
    response = client.post(withdraw_url(invitation), follow=True)
    assert flashed(response) == [f"The invitation to {applicant_b.email} was withdrawn."]
    assert 'id="invitations"' not in response.content.decode()
    assert not MembershipInvitation.objects.exists()
    assert client.post(withdraw_url(invitation)).status_code == 404  # gone
    # The invitee finds nothing left to answer.
    invitee = client_for(applicant_b)
    assert (
        "Invitations to join an organisation"
        not in invitee.get(reverse("dashboard")).content.decode()
    )
    assert invitee.post(answer_url(invitation, "accept")).status_code == 404
    assert not Membership.objects.filter(user=applicant_b, organisation=org_a).exists()


def test_invitations_cost_the_dashboard_one_query_however_many(
    client_for, applicant_a, applicant_b, org_a, django_assert_max_num_queries
):
    invite(org_a, applicant_a, applicant_b)
    client = client_for(applicant_b)
    with django_assert_max_num_queries(12) as first:
        client.get(reverse("dashboard"))
    for _ in range(3):
        organisation = f.MembershipFactory(role="admin").organisation
        invite(organisation, organisation.memberships.get().user, applicant_b)
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get(reverse("dashboard")).content.decode()
    assert body.count("invited you to join") == 4


def test_inviting_a_member_again_is_refused_on_the_form(
    client_for, applicant_a, colleague_a, org_a
):
    response = client_for(applicant_a).post(
        page_url(org_a), {"email": colleague_a.email, "role": "admin"}
    )
    assert response.status_code == 400
    assert f"{colleague_a.email} is already a member of YINS." in response.content.decode()
    assert membership_of(colleague_a, org_a).role == "member"


def test_an_admin_promotes_and_removes_a_member(client_for, applicant_a, colleague_a, org_a):
    client = client_for(applicant_a)
    colleague = membership_of(colleague_a, org_a)
    response = client.post(
        reverse("organisation-member-role", args=[org_a.pk, colleague.pk]),
        {"role": "admin"},
        follow=True,
    )
    assert f"{colleague_a.display_name} is now an administrator." in response.content.decode()
    assert membership_of(colleague_a, org_a).role == "admin"
    response = client.post(
        reverse("organisation-member-remove", args=[org_a.pk, colleague.pk]), follow=True
    )
    assert f"{colleague_a.display_name} no longer belongs to YINS." in response.content.decode()
    assert not Membership.objects.filter(user=colleague_a, organisation=org_a).exists()


@pytest.mark.parametrize("action", ["role", "remove"])
def test_the_last_admin_is_told_why_they_cannot_step_down(client_for, applicant_a, org_a, action):
    mine = membership_of(applicant_a, org_a)
    response = client_for(applicant_a).post(
        reverse(f"organisation-member-{action}", args=[org_a.pk, mine.pk]),
        {"role": "member"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == page_url(org_a)
    body = response.content.decode()
    assert "is the last administrator of YINS" in body
    assert "An organisation must keep at least one administrator" in body
    assert membership_of(applicant_a, org_a).role == "admin"


def test_an_admin_leaves_when_someone_else_is_admin(client_for, applicant_a, colleague_a, org_a):
    Membership.objects.filter(user=colleague_a, organisation=org_a).update(role="admin")
    mine = membership_of(applicant_a, org_a)
    client = client_for(applicant_a)
    response = client.post(
        reverse("organisation-member-remove", args=[org_a.pk, mine.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert "You left YINS." in response.content.decode()
    assert client.get(page_url(org_a)).status_code == 404


def test_the_invitation_can_be_sent_again(
    client_for, applicant_a, org_a, django_capture_on_commit_callbacks, mailoutbox
):
    client = client_for(applicant_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page_url(org_a), {"email": "late@yins.example", "role": "member"})
    late = Membership.objects.get(user__email="late@yins.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisation-member-invite", args=[org_a.pk, late.pk]), follow=True
        )
    assert "The invitation was sent again to late@yins.example." in response.content.decode()
    assert [m.to for m in mailoutbox] == [["late@yins.example"]] * 2


def test_the_only_admin_is_not_offered_to_step_down(client_for, applicant_a, colleague_a, org_a):
    client = client_for(applicant_a)
    body = client.get(page_url(org_a)).content.decode()
    assert "The only administrator: to step down or leave" in body
    assert "Step down to member" not in body and "Leave the organisation" not in body
    assert "Make an administrator" in body  # for the colleague
    Membership.objects.filter(user=colleague_a, organisation=org_a).update(role="admin")
    body = client.get(page_url(org_a)).content.decode()
    assert "Step down to member" in body and "Leave the organisation" in body
