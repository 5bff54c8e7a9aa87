"""/api/v1/organisations/{id}/members/ and …/invitations/: members read, administrators change,
others get 404. /api/v1/me/invitations/: the invited person's own, to accept or decline."""

import pytest

from accounts.models import User
from grants.models import Membership, MembershipInvitation
from grants.services.organisations import membership_invite
from tests import factories as f


def url(organisation, membership=None, action="") -> str:
    base = f"/api/v1/organisations/{organisation.pk}/members/"
    if membership is not None:
        base += f"{membership.pk}/"
    return base + (f"{action}/" if action else "")


def invitations_url(organisation, invitation=None) -> str:
    base = f"/api/v1/organisations/{organisation.pk}/invitations/"
    return base + (f"{invitation.pk}/" if invitation is not None else "")


def mine_url(invitation=None, action="") -> str:
    base = "/api/v1/me/invitations/"
    if invitation is not None:
        base += f"{invitation.pk}/"
    return base + (f"{action}/" if action else "")


def invite(organisation, admin, user, role="member") -> MembershipInvitation:
    return membership_invite(
        organisation=organisation, actor=admin, email=user.email, role=role
    ).invitation


def membership_of(user, organisation) -> Membership:
    return Membership.objects.get(user=user, organisation=organisation)


def test_a_member_lists_the_people_administrators_first(api_for, colleague_a, applicant_a, org_a):
    response = api_for(colleague_a).get(url(org_a))
    assert response.status_code == 200
    assert response.data["count"] == 2
    rows = response.data["results"]
    assert [(r["email"], r["role"]) for r in rows] == [
        (applicant_a.email, "admin"),
        (colleague_a.email, "member"),
    ]
    assert set(rows[0]) == {
        "id",
        "user",
        "email",
        "full_name",
        "role",
        "invitation_pending",
        "created_at",
    }
    assert rows[0]["user"] == applicant_a.pk and rows[0]["invitation_pending"] is False
    one = api_for(colleague_a).get(url(org_a, membership_of(applicant_a, org_a)))
    assert one.status_code == 200 and one.data["email"] == applicant_a.email


def test_outsiders_get_404_and_anonymous_callers_too(
    api_for, applicant_b, manager, submitted, applicant_a, org_a
):
    admin = membership_of(applicant_a, org_a)
    invitation = invite(org_a, applicant_a, f.UserFactory())
    # The manager sees org_a's profile (it applied to their call), not its people.
    assert api_for(manager).get(f"/api/v1/organisations/{org_a.pk}/").status_code == 200
    for caller in (api_for(applicant_b), api_for(manager), api_for()):
        assert caller.get(url(org_a)).status_code == 404
        assert caller.get(url(org_a, admin)).status_code == 404
        response = caller.post(url(org_a), {"email": "x@evil.example"})
        assert response.status_code == 404
        assert (set(response.data), response.data["code"]) == ({"detail", "code"}, "not_found")
        assert caller.patch(url(org_a, admin), {"role": "member"}).status_code == 404
        assert caller.delete(url(org_a, admin)).status_code == 404
        assert caller.post(url(org_a, admin, "invite")).status_code == 404
        assert caller.get(invitations_url(org_a)).status_code == 404
        assert caller.get(invitations_url(org_a, invitation)).status_code == 404
        assert caller.delete(invitations_url(org_a, invitation)).status_code == 404
        # Someone else's invitation does not exist for them.
        assert caller.get(mine_url(invitation)).status_code == 404
        assert caller.post(mine_url(invitation, "accept")).status_code == 404
        assert caller.post(mine_url(invitation, "decline")).status_code == 404
    assert membership_of(applicant_a, org_a).role == "admin"
    assert not User.objects.filter(email="x@evil.example").exists()
    assert MembershipInvitation.objects.get().is_open
    assert api_for().get(mine_url()).status_code == 401  # anonymous, on a collection


def test_a_plain_member_may_not_change_anything(api_for, colleague_a, applicant_a, org_a):
    admin = membership_of(applicant_a, org_a)
    invitation = invite(org_a, applicant_a, f.UserFactory())
    api = api_for(colleague_a)
    for response in (
        api.post(url(org_a), {"email": "x@yins.example"}),
        api.post(url(org_a), {"email": "not an address"}),  # 403 before the input is read
        api.patch(url(org_a, admin), {"role": "member"}),
        api.patch(url(org_a, membership_of(colleague_a, org_a)), {"role": "admin"}),
        api.delete(url(org_a, admin)),
        api.post(url(org_a, admin, "invite")),
        api.delete(invitations_url(org_a, invitation)),
    ):
        assert response.status_code == 403
        assert response.data["code"] == "permission_denied"
    # A member sees who was invited, and cannot answer for them.
    listed = api.get(invitations_url(org_a))
    assert listed.status_code == 200 and [r["id"] for r in listed.data["results"]] == [
        invitation.pk
    ]
    assert api.post(mine_url(invitation, "accept")).status_code == 404
    assert MembershipInvitation.objects.get().is_open
    assert membership_of(applicant_a, org_a).role == "admin"
    assert membership_of(colleague_a, org_a).role == "member"
    assert not User.objects.filter(email="x@yins.example").exists()


def test_an_admin_invites_a_new_address(
    api_for, applicant_a, org_a, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(applicant_a).post(
            url(org_a), {"email": "Jelena@yins.example", "full_name": "Jelena Petrović"}
        )
    assert response.status_code == 202, response.data
    assert response.data == {
        "detail": "Invitation sent to jelena@yins.example.",
        "email": "jelena@yins.example",
        "role": "member",  # the default
    }
    membership = Membership.objects.get(organisation=org_a, user__email="jelena@yins.example")
    listed = api_for(applicant_a).get(url(org_a, membership)).data
    assert listed["invitation_pending"] is True and listed["full_name"] == "Jelena Petrović"
    assert [m.to for m in mailoutbox] == [["jelena@yins.example"]]
    assert "/accounts/invitation/" in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        again = api_for(applicant_a).post(url(org_a, membership, "invite"))
    assert again.status_code == 200
    assert len(mailoutbox) == 2


def test_an_admin_invites_an_existing_account_which_is_not_added(
    api_for, applicant_a, applicant_b, org_a
):
    response = api_for(applicant_a).post(url(org_a), {"email": applicant_b.email, "role": "admin"})
    assert response.status_code == 202, response.data
    assert response.data == {
        "detail": f"Invitation sent to {applicant_b.email}.",
        "email": applicant_b.email,
        "role": "admin",
    }
    assert not Membership.objects.filter(user=applicant_b, organisation=org_a).exists()
    members = api_for(applicant_a).get(url(org_a)).data["results"]
    assert applicant_b.email not in [m["email"] for m in members]
    invitations = api_for(applicant_a).get(invitations_url(org_a))
    assert invitations.status_code == 200
    [row] = invitations.data["results"]
    invitation = MembershipInvitation.objects.get()
    assert row == {
        "id": invitation.pk,
        "email": applicant_b.email,  # the address only: no name, no account id
        "role": "admin",
        "invited_by": applicant_a.pk,
        "created_at": row["created_at"],
    }


def test_the_answer_is_the_same_for_a_new_and_an_existing_address(
    api_for, applicant_a, applicant_b, org_a
):
    api = api_for(applicant_a)
    answers = {}
    for email in ("newcomer@yins.example", applicant_b.email):
        response = api.post(url(org_a), {"email": email, "full_name": "Someone"})
        answers[email] = (
            response.status_code,
            {k: str(v).replace(email, "<email>") for k, v in response.data.items()},
        )
    assert answers["newcomer@yins.example"] == answers[applicant_b.email]


def test_the_invitee_lists_and_accepts_their_invitation(api_for, applicant_a, applicant_b, org_a):
    invitation = invite(org_a, applicant_a, applicant_b, role="admin")
    api = api_for(applicant_b)
    listed = api.get(mine_url())
    assert listed.status_code == 200
    [row] = listed.data["results"]
    assert row == {
        "id": invitation.pk,
        "organisation": org_a.pk,
        "organisation_name": "Youth Initiative Novi Sad",
        "role": "admin",
        "invited_by_name": applicant_a.display_name,
        "created_at": row["created_at"],
        "answered_at": None,
        "accepted": None,
    }
    response = api.post(mine_url(invitation, "accept"))
    assert response.status_code == 200, response.data
    assert response.data["accepted"] is True and response.data["answered_at"]
    assert membership_of(applicant_b, org_a).role == "admin"
    assert api.get(mine_url()).data["results"] == []  # nothing open left
    assert api.get(mine_url(invitation)).data["accepted"] is True
    for action in ("accept", "decline"):
        again = api.post(mine_url(invitation, action))
        assert again.status_code == 409
        assert (set(again.data), again.data["code"]) == ({"detail", "code"}, "invitation_answered")
    # Now a member, and an administrator: they see the organisation's people.
    assert api.get(url(org_a)).status_code == 200


def test_the_invitee_declines_and_nothing_changes(api_for, applicant_a, applicant_b, org_a):
    invitation = invite(org_a, applicant_a, applicant_b)
    api = api_for(applicant_b)
    response = api.post(mine_url(invitation, "decline"))
    assert response.status_code == 200
    assert response.data["accepted"] is False
    assert not Membership.objects.filter(user=applicant_b, organisation=org_a).exists()
    assert api.get(url(org_a)).status_code == 404
    assert api.post(mine_url(invitation, "accept")).status_code == 409
    assert not Membership.objects.filter(user=applicant_b, organisation=org_a).exists()
    assert api_for(applicant_a).get(invitations_url(org_a)).data["results"] == []


def test_an_admin_withdraws_an_invitation(api_for, applicant_a, applicant_b, org_a):
    invitation = invite(org_a, applicant_a, applicant_b)
    api = api_for(applicant_a)
    assert api.delete(invitations_url(org_a, invitation)).status_code == 204
    assert not MembershipInvitation.objects.exists()
    assert api.delete(invitations_url(org_a, invitation)).status_code == 404
    invitee = api_for(applicant_b)
    assert invitee.get(mine_url()).data["results"] == []
    assert invitee.post(mine_url(invitation, "accept")).status_code == 404
    assert not Membership.objects.filter(user=applicant_b, organisation=org_a).exists()


def test_an_answered_invitation_is_no_longer_the_organisations_to_withdraw(
    api_for, applicant_a, applicant_b, org_a
):
    invitation = invite(org_a, applicant_a, applicant_b)
    api_for(applicant_b).post(mine_url(invitation, "accept"))
    response = api_for(applicant_a).delete(invitations_url(org_a, invitation))
    assert response.status_code == 404  # listed only while open
    assert membership_of(applicant_b, org_a).role == "member"


def test_bad_input_and_duplicates_are_400_by_field(api_for, applicant_a, colleague_a, org_a):
    api = api_for(applicant_a)
    response = api.post(url(org_a), {"email": "not an address", "role": "owner"})
    assert response.status_code == 400
    assert set(response.data["errors"]) == {"email", "role"}
    response = api.post(url(org_a), {"email": colleague_a.email})
    assert response.status_code == 400
    assert response.data["code"] == "already_member"
    assert response.data["errors"] == {
        "email": [f"{colleague_a.email} is already a member of {org_a}."]
    }
    stranger = f.UserFactory()
    assert api.post(url(org_a), {"email": stranger.email}).status_code == 202
    response = api.post(url(org_a), {"email": stranger.email, "role": "admin"})
    assert response.status_code == 400
    assert response.data["code"] == "already_invited"
    assert MembershipInvitation.objects.get().role == "member"
    assert api.patch(url(org_a, membership_of(colleague_a, org_a)), {}).status_code == 400


def test_an_admin_changes_a_role_and_removes_a_member(api_for, applicant_a, colleague_a, org_a):
    api = api_for(applicant_a)
    colleague = membership_of(colleague_a, org_a)
    response = api.patch(url(org_a, colleague), {"role": "admin"})
    assert response.status_code == 200 and response.data["role"] == "admin"
    assert api.delete(url(org_a, colleague)).status_code == 204
    assert not Membership.objects.filter(pk=colleague.pk).exists()
    assert api.delete(url(org_a, colleague)).status_code == 404


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_the_last_admin_cannot_step_down_409(api_for, applicant_a, colleague_a, org_a, method):
    mine = membership_of(applicant_a, org_a)
    response = getattr(api_for(applicant_a), method)(url(org_a, mine), {"role": "member"})
    assert response.status_code == 409
    assert response.data["code"] == "last_admin"
    assert set(response.data) == {"detail", "code"}
    # The reason a person reads: what they must do instead.
    assert "must keep at least one administrator" in response.data["detail"]
    assert membership_of(applicant_a, org_a).role == "admin"


def test_sending_the_invitation_again_to_someone_who_can_log_in_is_409(
    api_for, applicant_a, colleague_a, org_a
):
    response = api_for(applicant_a).post(url(org_a, membership_of(colleague_a, org_a), "invite"))
    assert response.status_code == 409
    assert response.data["code"] == "already_active"
