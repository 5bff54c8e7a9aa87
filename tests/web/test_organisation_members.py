"""The page of an organisation's people: members see it, administrators change it, nobody
else knows it exists."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse

from accounts.models import User
from grants.models import Membership


def page_url(organisation) -> str:
    return reverse("organisation-members", args=[organisation.pk])


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
    outsider = client_for(applicant_b)
    assert outsider.get(page_url(org_a)).status_code == 404
    assert outsider.post(page_url(org_a), {"email": "x@evil.example"}).status_code == 404
    for name in ("role", "remove", "invite"):
        url = reverse(f"organisation-member-{name}", args=[org_a.pk, admin.pk])
        assert outsider.post(url, {"role": "member"}).status_code == 404
    assert membership_of(applicant_a, org_a).role == "admin"
    assert not User.objects.filter(email="x@evil.example").exists()


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
    assert membership_of(applicant_a, org_a).role == "admin"
    assert membership_of(colleague_a, org_a).role == "member"
    assert not User.objects.filter(email="x@yins.example").exists()


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
    assert (
        "Jelena Petrović is now a member of YINS. An e-mail with a link to set a password was "
        "sent to jelena@yins.example."
    ) in body
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


def test_an_existing_account_is_added_without_an_email(
    client_for, applicant_a, applicant_b, org_a, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(applicant_a).post(
            page_url(org_a), {"email": applicant_b.email, "role": "admin"}, follow=True
        )
    assert f"{applicant_b.display_name} is now a member of YINS." in response.content.decode()
    assert membership_of(applicant_b, org_a).role == "admin"
    assert mailoutbox == []


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
