"""Every grantee page: only members of the grantee organisation; everyone else 404, the
anonymous visitor is sent to log in. The agreement PDF also serves the programme's staff."""

import pytest
from django.urls import reverse

from grants.services.visits import visit_record


@pytest.fixture
def grantee_urls(open_interim_with_obligations, manager):
    grant = open_interim_with_obligations.grant
    import datetime as dt

    visit = visit_record(
        grant=grant,
        actor=manager,
        visited_on=dt.date(2027, 3, 1),
        visitors="PM",
        findings="Fine.",
        actions=[{"description": "Update the list", "due_date": dt.date(2027, 4, 1)}],
    )
    action = visit.actions.get()
    g, r = grant.pk, open_interim_with_obligations.pk
    return {
        "get": [
            reverse("grantee-grants"),
            reverse("grantee-grant", args=[g]),
            reverse("grantee-grant-sign", args=[g]),
            reverse("grantee-report", args=[g, r]),
            reverse("grant-agreement", args=[g]),
        ],
        "post": [
            reverse("grantee-grant-sign", args=[g]),
            reverse("grantee-amendment-create", args=[g]),
            reverse("grantee-action-close", args=[g, action.pk]),
            reverse("grantee-report", args=[g, r]),
            reverse("grantee-report-autosave", args=[g, r]),
            reverse("grantee-report-submit", args=[g, r]),
            reverse("grantee-report-attachment-add", args=[g, r]),
        ],
    }


@pytest.mark.parametrize("who", ["applicant_b", "other_manager", "reviewer"])
def test_it_answers_404_to_outsiders(request, client_for, grantee_urls, who):
    client = client_for(request.getfixturevalue(who))
    for url in grantee_urls["get"][1:]:
        assert client.get(url).status_code == 404, url
    for url in grantee_urls["post"]:
        assert client.post(url, {"version": 1}).status_code == 404, url
    # My grants exists for everyone logged in, and shows nothing of org_a.
    body = client.get(grantee_urls["get"][0]).content.decode()
    assert "Community monitoring project" not in body


def test_it_sends_the_anonymous_visitor_to_log_in(client, grantee_urls):
    for url in grantee_urls["get"] + grantee_urls["post"]:
        response = client.get(url) if url in grantee_urls["get"] else client.post(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_it_keeps_the_programme_staff_out_of_the_grantee_pages(client_for, grantee_urls, manager):
    client = client_for(manager)
    for url in grantee_urls["get"][1:4]:
        assert client.get(url).status_code == 404, url


def test_it_lets_a_plain_member_read_every_page(client_for, grantee_urls, colleague_a):
    client = client_for(colleague_a)
    for url in grantee_urls["get"]:
        assert client.get(url).status_code == 200, url
