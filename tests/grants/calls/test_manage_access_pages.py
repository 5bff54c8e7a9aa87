"""Who may open and use the manager's pages: the programme's manager reads and acts;
its approver and donor observer read but cannot act (403); a manager of another programme,
the applicants (even the one whose application it is) get 404; anonymous visitors are sent
to log in. Every page and every action is checked against every persona."""

import pytest
from django.urls import reverse

from applications.models import Application
from grants.models import Call

OUTSIDERS = ["other_manager", "applicant_a", "applicant_b"]
READERS = ["approver", "observer"]


@pytest.fixture
def manage_pages(programme, call, submitted):
    question = call.questions.first()
    criterion = call.criteria.first()
    return {
        # name: (url, readable by approver/observer)
        "programme": (reverse("manage-programme", args=[programme.pk]), True),
        "call": (reverse("manage-call", args=[call.pk]), True),
        "applications": (reverse("manage-application-list", args=[call.pk]), True),
        "export": (reverse("manage-application-export", args=[call.pk]), True),
        "application": (reverse("manage-application", args=[submitted.pk]), True),
        "call-create": (reverse("manage-call-create", args=[programme.pk]), False),
        "call-edit": (reverse("manage-call-edit", args=[call.pk]), False),
        "question-create": (reverse("manage-question-create", args=[call.pk]), False),
        "question-edit": (reverse("manage-question-edit", args=[call.pk, question.pk]), False),
        "criterion-create": (reverse("manage-criterion-create", args=[call.pk]), False),
        "criterion-edit": (reverse("manage-criterion-edit", args=[call.pk, criterion.pk]), False),
    }


PAGE_NAMES = [
    "programme",
    "call",
    "applications",
    "export",
    "application",
    "call-create",
    "call-edit",
    "question-create",
    "question-edit",
    "criterion-create",
    "criterion-edit",
]


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_it_shows_every_page_to_the_manager(client, manager, manage_pages, page):
    client.force_login(manager)
    assert client.get(manage_pages[page][0]).status_code == 200


@pytest.mark.parametrize("persona", READERS)
@pytest.mark.parametrize("page", PAGE_NAMES)
def test_it_lets_approvers_and_observers_read_but_not_edit(
    client, request, manage_pages, page, persona
):
    client.force_login(request.getfixturevalue(persona))
    url, readable = manage_pages[page]
    assert client.get(url).status_code == (200 if readable else 403)


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize("page", PAGE_NAMES)
def test_it_hides_every_page_from_outsiders(client, request, manage_pages, page, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(manage_pages[page][0]).status_code == 404


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_it_sends_anonymous_visitors_to_log_in(client, manage_pages, page):
    response = client.get(manage_pages[page][0])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_hides_a_draft_application_from_the_manager(client, manager, draft):
    client.force_login(manager)
    assert client.get(reverse("manage-application", args=[draft.pk])).status_code == 404


# Actions: POST ---------------------------------------------------------------------------


@pytest.fixture
def call_actions(call, draft_media_call, submitted):
    question = draft_media_call.questions.create(label="Why?", kind="long_text")
    criterion = call.criteria.first()
    return {
        "publish": (reverse("manage-call-transition", args=[draft_media_call.pk, "publish"]), {}),
        "close": (reverse("manage-call-transition", args=[call.pk, "close"]), {}),
        "question-add": (
            reverse("manage-question-create", args=[draft_media_call.pk]),
            {"label": "New question", "kind": "text", "required": "on"},
        ),
        "question-delete": (
            reverse("manage-question-delete", args=[draft_media_call.pk, question.pk]),
            {},
        ),
        "criterion-delete": (
            reverse("manage-criterion-delete", args=[call.pk, criterion.pk]),
            {},
        ),
        "edit": (reverse("manage-call-edit", args=[call.pk]), {"title": "Renamed"}),
        "eligible": (
            reverse("manage-application-screen", args=[submitted.pk]),
            {"decision": "eligible"},
        ),
        "ineligible": (
            reverse("manage-application-screen", args=[submitted.pk]),
            {"decision": "ineligible", "reason": "Out of scope"},
        ),
        "clarify": (
            reverse("manage-application-clarify", args=[submitted.pk]),
            {"question": "Which municipalities?", "response_due_at": "2099-01-01T12:00"},
        ),
    }


ACTION_NAMES = [
    "publish",
    "close",
    "question-add",
    "question-delete",
    "criterion-delete",
    "edit",
    "eligible",
    "ineligible",
    "clarify",
]


def _unchanged(call, draft_call, submitted):
    call.refresh_from_db()
    draft_call.refresh_from_db()
    submitted.refresh_from_db()
    assert call.state == Call.State.OPEN and call.title != "Renamed"
    assert draft_call.state == Call.State.DRAFT
    assert draft_call.questions.count() == 1
    assert call.criteria.count() == 2
    assert submitted.state == Application.State.SUBMITTED


@pytest.mark.parametrize("persona", READERS)
@pytest.mark.parametrize("action", ACTION_NAMES)
def test_it_refuses_actions_from_approvers_and_observers(
    client, request, call_actions, action, persona, call, draft_media_call, submitted
):
    client.force_login(request.getfixturevalue(persona))
    url, data = call_actions[action]
    assert client.post(url, data).status_code == 403
    _unchanged(call, draft_media_call, submitted)


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize("action", ACTION_NAMES)
def test_it_refuses_actions_from_outsiders(
    client, request, call_actions, action, persona, call, draft_media_call, submitted
):
    client.force_login(request.getfixturevalue(persona))
    url, data = call_actions[action]
    assert client.post(url, data).status_code == 404
    _unchanged(call, draft_media_call, submitted)


@pytest.mark.parametrize("action", ACTION_NAMES)
def test_it_refuses_actions_from_anonymous_visitors(
    client, call_actions, action, call, draft_media_call, submitted
):
    url, data = call_actions[action]
    assert client.post(url, data).status_code == 302
    _unchanged(call, draft_media_call, submitted)


def test_it_shows_no_action_buttons_to_an_observer(client, observer, call, submitted):
    client.force_login(observer)
    call_page = client.get(reverse("manage-call", args=[call.pk])).content.decode()
    assert "Edit call" not in call_page
    assert "manage-call-transition" not in call_page
    assert f"/manage/calls/{call.pk}/transitions/" not in call_page
    screening = client.get(reverse("manage-application", args=[submitted.pk])).content.decode()
    assert "Eligibility checklist" in screening
    assert "Mark eligible" not in screening
    assert "Request clarification" not in screening


def test_it_404s_an_unknown_transition(client, manager, call):
    client.force_login(manager)
    url = reverse("manage-call-transition", args=[call.pk, "decide"])
    assert client.post(url).status_code == 404


def test_it_refuses_a_get_on_an_action(client, manager, call, submitted):
    client.force_login(manager)
    assert client.get(reverse("manage-call-transition", args=[call.pk, "close"])).status_code == 405
    assert client.get(reverse("manage-application-screen", args=[submitted.pk])).status_code == 405
