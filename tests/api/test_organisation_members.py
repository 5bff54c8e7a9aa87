"""/api/v1/organisations/{id}/members/: members read, administrators change, others get 404."""

import pytest

from accounts.models import User
from grants.models import Membership


def url(organisation, membership=None, action="") -> str:
    base = f"/api/v1/organisations/{organisation.pk}/members/"
    if membership is not None:
        base += f"{membership.pk}/"
    return base + (f"{action}/" if action else "")


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
    # The manager sees org_a's profile (it applied to their call), not its people.
    assert api_for(manager).get(f"/api/v1/organisations/{org_a.pk}/").status_code == 200
    for caller in (api_for(applicant_b), api_for(manager), api_for()):
        assert caller.get(url(org_a)).status_code == 404
        assert caller.get(url(org_a, admin)).status_code == 404
        response = caller.post(url(org_a), {"email": "x@evil.example"})
        assert response.status_code == 404
        assert response.data == {"detail": "Not found.", "code": "not_found"}
        assert caller.patch(url(org_a, admin), {"role": "member"}).status_code == 404
        assert caller.delete(url(org_a, admin)).status_code == 404
        assert caller.post(url(org_a, admin, "invite")).status_code == 404
    assert membership_of(applicant_a, org_a).role == "admin"
    assert not User.objects.filter(email="x@evil.example").exists()


def test_a_plain_member_may_not_change_anything(api_for, colleague_a, applicant_a, org_a):
    admin = membership_of(applicant_a, org_a)
    api = api_for(colleague_a)
    for response in (
        api.post(url(org_a), {"email": "x@yins.example"}),
        api.post(url(org_a), {"email": "not an address"}),  # 403 before the input is read
        api.patch(url(org_a, admin), {"role": "member"}),
        api.patch(url(org_a, membership_of(colleague_a, org_a)), {"role": "admin"}),
        api.delete(url(org_a, admin)),
        api.post(url(org_a, admin, "invite")),
    ):
        assert response.status_code == 403
        assert response.data["code"] == "permission_denied"
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
    assert response.status_code == 201, response.data
    assert response.data["email"] == "jelena@yins.example"
    assert response.data["role"] == "member"  # the default
    assert response.data["invitation_pending"] is True
    assert [m.to for m in mailoutbox] == [["jelena@yins.example"]]
    assert "/accounts/invitation/" in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        again = api_for(applicant_a).post(
            url(org_a, Membership.objects.get(pk=response.data["id"]), "invite")
        )
    assert again.status_code == 200
    assert len(mailoutbox) == 2


def test_an_admin_adds_an_existing_account_as_admin(api_for, applicant_a, applicant_b, org_a):
    response = api_for(applicant_a).post(url(org_a), {"email": applicant_b.email, "role": "admin"})
    assert response.status_code == 201, response.data
    assert (response.data["user"], response.data["role"]) == (applicant_b.pk, "admin")
    assert response.data["invitation_pending"] is False


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
    assert "must keep at least one administrator" in response.data["detail"]
    assert set(response.data) == {"detail", "code"}
    assert membership_of(applicant_a, org_a).role == "admin"


def test_sending_the_invitation_again_to_someone_who_can_log_in_is_409(
    api_for, applicant_a, colleague_a, org_a
):
    response = api_for(applicant_a).post(url(org_a, membership_of(colleague_a, org_a), "invite"))
    assert response.status_code == 409
    assert response.data["code"] == "already_active"
