"""The grant's life on the manager's grant page: a button per transition available now,
each posting to grant_change_state. Approvers and observers see no buttons and get 403;
outsiders get 404; what the service refuses comes back as a message."""

import pytest
from django.urls import reverse

from grants.models import Grant
from grants.services.grants import grant_change_state
from workflows.models import TransitionLog

OUTSIDERS = ["other_manager", "applicant_a", "applicant_b", "reviewer"]


def transition_url(grant, name: str) -> str:
    return reverse("manage-grant-transition", args=[grant.pk, name])


def test_it_shows_the_manager_the_start_button_of_a_contracted_grant(
    client_for, signed_grant, manager
):
    html = client_for(manager).get(reverse("manage-grant", args=[signed_grant.pk])).content.decode()

    assert f'action="{transition_url(signed_grant, "activate")}"' in html
    assert ">Start<" in html
    assert transition_url(signed_grant, "suspend") not in html


def test_it_shows_suspend_terminate_and_closing_on_an_active_grant(
    client_for, active_grant, manager
):
    html = client_for(manager).get(reverse("manage-grant", args=[active_grant.pk])).content.decode()

    for name in ("start_closing", "suspend", "terminate"):
        assert transition_url(active_grant, name) in html
    assert transition_url(active_grant, "activate") not in html
    assert 'name="comment"' in html  # the reason of a suspension or termination


def test_it_starts_the_grant_and_logs_it(client_for, signed_grant, manager):
    response = client_for(manager).post(transition_url(signed_grant, "activate"), follow=True)

    signed_grant.refresh_from_db()
    assert signed_grant.state == Grant.State.ACTIVE
    assert "The grant is now “Active”." in response.content.decode()
    log = TransitionLog.objects.for_object(signed_grant).last()
    assert (log.transition, log.actor) == ("activate", manager)


def test_it_wants_a_reason_to_suspend(client_for, active_grant, manager):
    client = client_for(manager)
    response = client.post(transition_url(active_grant, "suspend"), {"comment": " "}, follow=True)

    assert "Give the reason." in response.content.decode()
    active_grant.refresh_from_db()
    assert active_grant.state == Grant.State.ACTIVE

    client.post(transition_url(active_grant, "suspend"), {"comment": "Audit of the accounts"})
    active_grant.refresh_from_db()
    assert active_grant.state == Grant.State.SUSPENDED
    assert TransitionLog.objects.for_object(active_grant).last().comment == "Audit of the accounts"


def test_it_shows_why_a_grant_cannot_close(client_for, active_grant, manager):
    grant = grant_change_state(grant=active_grant, actor=manager, name="start_closing")

    response = client_for(manager).post(transition_url(grant, "close"), follow=True)

    assert "The grant cannot be closed" in response.content.decode()
    grant.refresh_from_db()
    assert grant.state == Grant.State.CLOSING


def test_it_refuses_a_transition_the_state_does_not_allow(client_for, signed_grant, manager):
    response = client_for(manager).post(transition_url(signed_grant, "resume"), follow=True)

    assert "This cannot be done while it is “Contracted”." in response.content.decode()
    signed_grant.refresh_from_db()
    assert signed_grant.state == Grant.State.CONTRACTED


def test_it_answers_404_for_a_name_that_is_not_a_lifecycle_transition(
    client_for, signed_grant, manager
):
    assert client_for(manager).post(transition_url(signed_grant, "sign")).status_code == 404


@pytest.mark.parametrize("persona", ["approver", "observer"])
def test_it_shows_staff_who_do_not_manage_no_buttons_and_refuses_them(
    client, request, signed_grant, persona
):
    client.force_login(request.getfixturevalue(persona))

    html = client.get(reverse("manage-grant", args=[signed_grant.pk])).content.decode()
    assert transition_url(signed_grant, "activate") not in html
    assert client.post(transition_url(signed_grant, "activate")).status_code == 403
    signed_grant.refresh_from_db()
    assert signed_grant.state == Grant.State.CONTRACTED


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_it_hides_the_transitions_from_outsiders(client, request, signed_grant, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.post(transition_url(signed_grant, "activate")).status_code == 404
    signed_grant.refresh_from_db()
    assert signed_grant.state == Grant.State.CONTRACTED


def test_it_sends_anonymous_visitors_to_log_in(client, signed_grant):
    response = client.post(transition_url(signed_grant, "activate"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_accepts_only_post(client_for, signed_grant, manager):
    assert client_for(manager).get(transition_url(signed_grant, "activate")).status_code == 405
