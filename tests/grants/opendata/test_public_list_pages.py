"""The public list of awarded sub-grants: no login, only published states, nothing personal."""

from decimal import Decimal

from django.urls import reverse

from grants.models import Grant
from tests import factories as f


def test_it_lists_the_awarded_grants_without_personal_data(
    client, call, signed_grant, org_b, applicant_a, manager
):
    org_b.email = "office@wnt.example"
    org_b.save()
    suspended = f.awarded_grant(call=call, organisation=org_b, amount="6000", manager=manager)
    Grant.objects.filter(pk=suspended.pk).update(state="suspended", title="Hidden project")
    response = client.get(reverse("public-programme-grants", args=[signed_grant.programme_id]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Youth Initiative Novi Sad" in content and signed_grant.title in content
    assert "9,000.00 EUR" in content and "Serbia" in content
    assert "Hidden project" not in content and "Women&#x27;s Network Tuzla" not in content
    assert "@" not in content
    assert applicant_a.full_name not in content


def test_it_lists_every_published_state(client, call, manager):
    states = ["awarded", "contracted", "active", "closing", "closed", "terminated"]
    for state in states:
        g = f.awarded_grant(
            call=call, organisation=f.OrganisationFactory(), amount="5000", manager=manager
        )
        Grant.objects.filter(pk=g.pk).update(state=state, title=f"Project {state}")
    content = client.get(reverse("public-programme-grants", args=[call.programme_id])).content
    for state in states[:-1]:
        assert f"Project {state}".encode() in content
    assert b"Project terminated" not in content


def test_it_hides_a_programme_the_public_does_not_know(client, lead_org):
    unknown = f.ProgrammeFactory(owner=lead_org)
    Grant.objects.create(
        title="Private", organisation=lead_org, programme=unknown, amount=Decimal(1), state="closed"
    )
    Grant.objects.filter(title="Private").update(state="suspended")
    assert client.get(reverse("public-programme-grants", args=[unknown.pk])).status_code == 404
