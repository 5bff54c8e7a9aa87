"""An organisation's administrator invites colleagues in Chromium, from the dashboard; someone
who already has an account accepts the invitation on their own dashboard."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from grants.models import Membership, MembershipInvitation

pytestmark = pytest.mark.browser


def test_an_admin_invites_a_colleague_and_sees_them_listed(
    live_server, login_page, applicant_a, colleague_a, org_a, mailoutbox
):
    page = login_page(applicant_a)
    page.get_by_role("link", name="People of YINS: invite, change roles").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/organisations/{org_a.pk}/members/")
    expect(
        page.get_by_role("heading", name="People of Youth Initiative Novi Sad", level=1)
    ).to_be_visible()
    people = page.locator("#members tbody tr")
    expect(people).to_have_count(2)

    invite = page.get_by_role("region", name="Invite a colleague")
    invite.get_by_label("E-mail").fill("jelena@yins.example")
    invite.get_by_label("Name (optional)").fill("Jelena Petrović")
    invite.get_by_label("Administrator: also signs agreements").check()
    invite.get_by_role("button", name="Invite").click()

    expect(page.get_by_role("status")).to_have_text("Invitation sent to jelena@yins.example.")
    expect(people).to_have_count(3)
    row = people.filter(has_text="jelena@yins.example")
    expect(row).to_contain_text("Jelena Petrović")
    expect(row).to_contain_text("Administrator")
    expect(row).to_contain_text("Invited: password not set yet")
    expect(
        row.get_by_role("button", name="Send the invitation again to Jelena Petrović")
    ).to_be_visible()

    membership = Membership.objects.get(organisation=org_a, user__email="jelena@yins.example")
    assert membership.role == "admin"
    assert [m.to for m in mailoutbox] == [["jelena@yins.example"]]


def test_an_existing_account_is_invited_and_accepts_on_its_dashboard(
    live_server, login_page, applicant_a, applicant_b, org_a, mailoutbox
):
    User.objects.filter(pk=applicant_b.pk).update(full_name="Lejla Hodžić")
    page = login_page(applicant_a)
    page.goto(f"{live_server.url}/accounts/organisations/{org_a.pk}/members/")
    invite = page.get_by_role("region", name="Invite a colleague")
    invite.get_by_label("E-mail").fill(applicant_b.email)
    invite.get_by_label("Administrator: also signs agreements").check()
    invite.get_by_role("button", name="Invite").click()

    # The same words as for a new address; listed by e-mail only, and not a member yet.
    expect(page.get_by_role("status")).to_have_text(f"Invitation sent to {applicant_b.email}.")
    expect(page.locator("#members tbody tr")).to_have_count(1)
    pending = page.locator("#invitations tbody tr")
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text(applicant_b.email)
    expect(pending).to_contain_text("Administrator")
    expect(page.get_by_text("Lejla Hodžić")).to_have_count(0)
    assert not Membership.objects.filter(organisation=org_a, user=applicant_b).exists()
    assert [m.to for m in mailoutbox] == [[applicant_b.email]]
    assert "/dashboard/" in mailoutbox[0].body  # the notification, with the way to answer

    # Lejla logs in and answers on her dashboard.
    page.context.clear_cookies()
    page = login_page(applicant_b)
    invitations = page.get_by_role("region", name="Invitations to join an organisation")
    expect(invitations).to_contain_text(
        "invited you to join Youth Initiative Novi Sad as an administrator."
    )
    invitations.get_by_role(
        "button", name="Accept the invitation to join Youth Initiative Novi Sad"
    ).click()

    expect(page.get_by_role("status")).to_have_text("You joined YINS as an administrator.")
    expect(page.get_by_role("region", name="Invitations to join an organisation")).to_have_count(0)
    expect(page.get_by_role("link", name="People of YINS: invite, change roles")).to_be_visible()
    assert Membership.objects.get(organisation=org_a, user=applicant_b).role == "admin"
    assert MembershipInvitation.objects.get().accepted is True
