"""Archiving a call, the last step of draft → open → closed → in_review → decided → archived:
its programme's managers put a decided call away, through the same service from the API, the
pages and the admin; it is logged, and it leaves the public list."""

import pytest
from django.urls import reverse

from accounts.models import User
from grants.models import Call, ProgrammeRole
from grants.services.calls import call_archive
from tests import factories as f
from workflows.exceptions import NotPermitted, TransitionConflict
from workflows.models import TransitionLog


@pytest.fixture
def decided_call(programme):
    return f.CallFactory(programme=programme, state=Call.State.DECIDED)


def archive_url(call: Call) -> str:
    return f"/api/v1/calls/{call.pk}/archive/"


# The service -------------------------------------------------------------------------


def test_a_manager_archives_a_decided_call_and_it_is_logged(manager, decided_call):
    call = call_archive(call=decided_call, actor=manager, comment="Every grant is signed.")

    assert call.state == Call.State.ARCHIVED
    assert Call.objects.get(pk=call.pk).state == Call.State.ARCHIVED
    (log,) = TransitionLog.objects.for_object(call)
    assert (log.transition, log.from_state, log.to_state, log.actor, log.comment) == (
        "archive",
        "decided",
        "archived",
        manager,
        "Every grant is signed.",
    )


@pytest.mark.parametrize("who", ["approver", "observer", "other_manager", "applicant_a"])
def test_only_a_manager_of_the_programme_archives(request, who, decided_call):
    with pytest.raises(NotPermitted):
        call_archive(call=decided_call, actor=request.getfixturevalue(who))

    assert Call.objects.get(pk=decided_call.pk).state == Call.State.DECIDED
    assert not TransitionLog.objects.for_object(decided_call).exists()


@pytest.mark.parametrize(
    "state",
    [
        Call.State.DRAFT,
        Call.State.OPEN,
        Call.State.CLOSED,
        Call.State.IN_REVIEW,
        Call.State.ARCHIVED,
        Call.State.CANCELLED,
    ],
)
def test_only_a_decided_call_is_archived(manager, programme, state):
    call = f.CallFactory(programme=programme, state=state)

    with pytest.raises(TransitionConflict) as refused:
        call_archive(call=call, actor=manager)

    assert refused.value.code == "invalid_state"
    assert Call.objects.get(pk=call.pk).state == state
    assert not TransitionLog.objects.for_object(call).exists()


# The API -----------------------------------------------------------------------------


def test_the_api_offers_archive_to_the_manager_of_a_decided_call(api_for, manager, decided_call):
    page = api_for(manager).get(f"/api/v1/calls/{decided_call.pk}/")

    assert page.data["available_transitions"] == ["archive"]


def test_the_manager_archives_a_decided_call_through_the_api(api_for, manager, decided_call):
    response = api_for(manager).post(archive_url(decided_call), {"comment": "Done"})

    assert response.status_code == 200, response.data
    assert response.data["state"] == "archived"
    assert response.data["available_transitions"] == []
    (log,) = TransitionLog.objects.for_object(decided_call)
    assert (log.transition, log.actor, log.comment) == ("archive", manager, "Done")


def test_an_approver_of_the_programme_may_see_but_not_archive(api_for, approver, decided_call):
    response = api_for(approver).post(archive_url(decided_call))

    assert response.status_code == 403
    assert response.data["code"] == "permission_denied"
    assert Call.objects.get(pk=decided_call.pk).state == Call.State.DECIDED


def test_an_outsider_gets_404_for_a_call_they_cannot_see(
    api_for, manager, applicant_a, other_manager, decided_call
):
    call_archive(call=decided_call, actor=manager)  # archived: no longer public

    for outsider in (applicant_a, other_manager):
        response = api_for(outsider).post(archive_url(decided_call))
        assert response.status_code == 404
        assert response.data["code"] == "not_found"


def test_a_decided_call_is_public_so_an_outsider_is_refused_with_403(
    api_for, applicant_a, other_manager, decided_call
):
    # A decided call is published: anyone logged in reads it, as for every call transition.
    for outsider in (applicant_a, other_manager):
        response = api_for(outsider).post(archive_url(decided_call))
        assert response.status_code == 403
    assert Call.objects.get(pk=decided_call.pk).state == Call.State.DECIDED


def test_an_anonymous_visitor_is_asked_to_log_in(api_for, decided_call):
    assert api_for(None).post(archive_url(decided_call)).status_code == 401


def test_the_api_refuses_to_archive_a_call_that_is_not_decided(api_for, manager, call):
    response = api_for(manager).post(archive_url(call))

    assert response.status_code == 409
    assert response.data["code"] == "invalid_state"
    assert Call.objects.get(pk=call.pk).state == Call.State.OPEN


# The page and the admin, by the same registry ------------------------------------------


def test_the_manager_archives_a_decided_call_on_its_page(client_for, manager, decided_call):
    url = reverse("manage-call-transition", args=[decided_call.pk, "archive"])

    response = client_for(manager).post(url)

    assert response.status_code == 302
    assert Call.objects.get(pk=decided_call.pk).state == Call.State.ARCHIVED


def test_the_admin_offers_archive_for_a_decided_call(client, programme, decided_call):
    operator = User.objects.create_superuser("ops@regrant.example", f.PASSWORD)
    ProgrammeRole.objects.create(user=operator, programme=programme, role="manager")
    client.force_login(operator)

    page = client.get(reverse("admin:grants_call_change", args=[decided_call.pk]))

    assert page.status_code == 200
    assert b'value="archive"' in page.content
