"""An organisation's administrator invites a colleague in Chromium, from the dashboard."""

import pytest
from playwright.sync_api import expect

from grants.models import Membership

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

    expect(page.get_by_role("status")).to_have_text(
        "Jelena Petrović is now a member of YINS. An e-mail with a link to set a password "
        "was sent to jelena@yins.example."
    )
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
