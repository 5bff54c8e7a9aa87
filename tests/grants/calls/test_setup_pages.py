"""Creating and editing a call, its questions and criteria, and moving it through its states."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from grants.models import Call, CallQuestion, Criterion
from tests import factories as f
from tests.grants.calls.conftest import call_form_data, local, new_call_data

UTC = dt.UTC


def create(client, programme, **overrides):
    return client.post(
        reverse("manage-call-create", args=[programme.pk]), new_call_data(**overrides)
    )


# Creating --------------------------------------------------------------------------------


def test_it_creates_a_draft_call(client_for, manager, programme):
    response = create(client_for(manager), programme)
    call = Call.objects.get(title="Local media grants 2027")
    assert response.status_code == 302
    assert response["Location"] == reverse("manage-call", args=[call.pk])
    assert call.state == Call.State.DRAFT
    assert call.programme == programme
    assert call.budget == Decimal("150000.00")
    assert call.eligible_countries == ["BA", "RS", "XK"]
    assert call.eligible_org_types == ["cso", "media"]
    # 09:00 in Belgrade in March is CET (UTC+1).
    assert call.opens_at == dt.datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    # 23:59:59 on 30 April is CEST (UTC+2).
    assert call.closes_at == dt.datetime(2027, 4, 30, 21, 59, 59, tzinfo=UTC)


def test_it_lists_western_balkan_countries_first(client_for, manager, programme):
    page = client_for(manager).get(reverse("manage-call-create", args=[programme.pk]))
    html = page.content.decode()
    assert html.index("Kosovo") < html.index("Austria")
    assert html.index("Albania") < html.index("Austria")


@pytest.mark.parametrize(
    "local_time, utc",
    [
        # Spring forward, Sunday 28 March 2027: 02:00 CET becomes 03:00 CEST.
        ("2027-03-28T01:59:59", dt.datetime(2027, 3, 28, 0, 59, 59, tzinfo=UTC)),
        ("2027-03-28T03:00:00", dt.datetime(2027, 3, 28, 1, 0, 0, tzinfo=UTC)),
        ("2027-03-28T23:59:59", dt.datetime(2027, 3, 28, 21, 59, 59, tzinfo=UTC)),
        # Fall back, Sunday 31 October 2027: 03:00 CEST becomes 02:00 CET.
        ("2027-10-31T01:59:59", dt.datetime(2027, 10, 30, 23, 59, 59, tzinfo=UTC)),
        ("2027-10-31T03:00:00", dt.datetime(2027, 10, 31, 2, 0, 0, tzinfo=UTC)),
        ("2027-10-31T23:59:59", dt.datetime(2027, 10, 31, 22, 59, 59, tzinfo=UTC)),
    ],
)
def test_it_stores_local_times_in_utc_across_daylight_saving_changes(
    client_for, manager, programme, local_time, utc
):
    create(client_for(manager), programme, opens_at="2027-03-01T00:00:00", closes_at=local_time)
    call = Call.objects.get(title="Local media grants 2027")
    assert call.closes_at == utc
    # …and the edit form shows the manager the wall-clock time they typed.
    page = client_for(manager).get(reverse("manage-call-edit", args=[call.pk]))
    assert f'value="{local_time}"' in page.content.decode()


def test_it_uses_the_chosen_time_zone(client_for, manager, programme):
    create(
        client_for(manager),
        programme,
        timezone="Europe/London",
        opens_at="2027-03-28T00:30:00",
        closes_at="2027-10-31T23:59:59",
    )
    call = Call.objects.get(title="Local media grants 2027")
    assert call.opens_at == dt.datetime(2027, 3, 28, 0, 30, tzinfo=UTC)  # still GMT
    assert call.closes_at == dt.datetime(2027, 10, 31, 23, 59, 59, tzinfo=UTC)  # GMT again


@pytest.mark.parametrize(
    "local_time, message",
    [
        ("2027-03-28T02:30:00", "does not exist in Europe/Belgrade"),
        ("2027-10-31T02:30:00", "happens twice in Europe/Belgrade"),
    ],
)
def test_it_refuses_a_time_the_clocks_skip_or_repeat(
    client_for, manager, programme, local_time, message
):
    response = create(client_for(manager), programme, closes_at=local_time)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Call.objects.filter(title="Local media grants 2027").exists()


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"closes_at": "2027-02-01T00:00:00"}, "closes_at", "must close after it opens"),
        ({"max_grant": "1000"}, "max_grant", "cannot be below the minimum"),
        ({"min_grant": "200000"}, "min_grant", "cannot exceed the call"),
        ({"min_cofinancing_percent": "101"}, "min_cofinancing_percent", "less than or equal"),
        ({"eligible_countries": ["ZZ"]}, "eligible_countries", "valid choice"),
        ({"title": ""}, "title", "required"),
    ],
)
def test_it_refuses_an_invalid_call_with_the_error_at_the_field(
    client_for, manager, programme, overrides, field, message
):
    response = create(client_for(manager), programme, **overrides)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert not Call.objects.exists()
    # Errors are tied to their field for screen readers.
    assert f'id="id_{field}_error"' in response.content.decode() or field == "eligible_countries"


# Editing: the frozen rules -------------------------------------------------------------


def test_it_edits_everything_in_a_draft(client_for, manager, draft_media_call):
    data = call_form_data(
        draft_media_call, max_grant="30000", eligible_countries=["AL"], title="New"
    )
    response = client_for(manager).post(
        reverse("manage-call-edit", args=[draft_media_call.pk]), data
    )
    assert response.status_code == 302
    draft_media_call.refresh_from_db()
    assert draft_media_call.max_grant == Decimal("30000")
    assert draft_media_call.eligible_countries == ["AL"]
    assert draft_media_call.title == "New"


def test_it_shows_the_frozen_fields_of_a_published_call_read_only(client_for, manager, call):
    response = client_for(manager).get(reverse("manage-call-edit", args=[call.pk]))
    form = response.context["form"]
    assert form.fields["max_grant"].disabled
    assert form.fields["opens_at"].disabled
    assert not form.fields["closes_at"].disabled
    assert not form.fields["title"].disabled
    html = response.content.decode()
    assert "Fixed once the call is published" in html


def test_it_refuses_a_new_max_grant_on_an_open_call(client_for, manager, call):
    data = call_form_data(call, max_grant="99999.00")  # a crafted request: the field is disabled
    response = client_for(manager).post(reverse("manage-call-edit", args=[call.pk]), data)
    assert response.status_code == 200
    assert "Cannot be changed once the call is published." in response.content.decode()
    call.refresh_from_db()
    assert call.max_grant == Decimal("20000.00")


def test_it_keeps_the_frozen_fields_a_browser_does_not_send(client_for, manager, call):
    data = call_form_data(call, title="Local initiatives call 2027 (extended)")
    response = client_for(manager).post(reverse("manage-call-edit", args=[call.pk]), data)
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.title == "Local initiatives call 2027 (extended)"
    assert call.max_grant == Decimal("20000.00")
    assert call.eligible_countries == ["AL", "BA", "ME", "MK", "RS", "XK"]


def test_it_extends_an_open_call(client_for, manager, call):
    later = call.closes_at + dt.timedelta(days=7)
    data = call_form_data(call, closes_at=local(later, call.timezone))
    response = client_for(manager).post(reverse("manage-call-edit", args=[call.pk]), data)
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.closes_at == later


def test_it_refuses_to_shorten_an_open_call(client_for, manager, call):
    before = call.closes_at
    data = call_form_data(call, closes_at=local(before - dt.timedelta(days=1), call.timezone))
    response = client_for(manager).post(reverse("manage-call-edit", args=[call.pk]), data)
    assert response.status_code == 200
    assert "extended, not shortened" in response.content.decode()
    call.refresh_from_db()
    assert call.closes_at == before


def test_it_grows_but_never_shrinks_the_budget_of_an_open_call(client_for, manager, call):
    url = reverse("manage-call-edit", args=[call.pk])
    response = client_for(manager).post(url, call_form_data(call, budget="90000"))
    assert "can grow, not shrink" in response.content.decode()
    call.refresh_from_db()
    assert call.budget == Decimal("100000.00")
    response = client_for(manager).post(url, call_form_data(call, budget="120000"))
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.budget == Decimal("120000.00")


def test_it_does_not_extend_a_closed_call(client_for, manager, call):
    call.close()
    call.save()
    response = client_for(manager).get(reverse("manage-call-edit", args=[call.pk]))
    assert response.context["form"].fields["closes_at"].disabled
    before = call.closes_at
    data = call_form_data(
        call, closes_at=local(before + dt.timedelta(days=3), call.timezone)
    )  # crafted
    response = client_for(manager).post(reverse("manage-call-edit", args=[call.pk]), data)
    assert "Only an open call can be extended." in response.content.decode()
    call.refresh_from_db()
    assert call.closes_at == before


# Questions and criteria -----------------------------------------------------------------


def test_it_adds_edits_and_removes_questions_of_a_draft(client_for, manager, draft_media_call):
    client = client_for(manager)
    response = client.post(
        reverse("manage-question-create", args=[draft_media_call.pk]),
        {"label": "Which region?", "kind": "choice", "required": "on", "choices": "North\nSouth\n"},
    )
    assert response.status_code == 302
    question = draft_media_call.questions.get()
    assert question.choices == ["North", "South"]
    assert question.required

    response = client.post(
        reverse("manage-question-edit", args=[draft_media_call.pk, question.pk]),
        {"label": "Summary", "kind": "long_text", "max_length": "1500"},
    )
    question.refresh_from_db()
    assert (question.label, question.kind, question.max_length) == ("Summary", "long_text", 1500)
    assert question.choices == [] and not question.required

    client.post(reverse("manage-question-delete", args=[draft_media_call.pk, question.pk]))
    assert not draft_media_call.questions.exists()


def test_it_orders_new_questions_last(client_for, manager, draft_media_call):
    url = reverse("manage-question-create", args=[draft_media_call.pk])
    for label in ("First", "Second", "Third"):
        client_for(manager).post(url, {"label": label, "kind": "text"})
    assert list(draft_media_call.questions.values_list("label", flat=True)) == [
        "First",
        "Second",
        "Third",
    ]


def test_it_refuses_a_choice_question_without_options(client_for, manager, draft_media_call):
    response = client_for(manager).post(
        reverse("manage-question-create", args=[draft_media_call.pk]),
        {"label": "Pick", "kind": "choice", "choices": "Only one"},
    )
    assert response.status_code == 200
    assert "at least two options" in response.content.decode()
    assert not draft_media_call.questions.exists()


def test_it_refuses_to_change_questions_once_published(client_for, manager, call):
    client = client_for(manager)
    question = call.questions.first()
    response = client.post(
        reverse("manage-question-create", args=[call.pk]), {"label": "Late", "kind": "text"}
    )
    assert response.status_code == 302
    assert not call.questions.filter(label="Late").exists()
    client.post(reverse("manage-question-delete", args=[call.pk, question.pk]))
    assert CallQuestion.objects.filter(pk=question.pk).exists()
    page = client.get(reverse("manage-call", args=[call.pk]))
    assert "questions cannot change once the call is published" in page.content.decode()


def test_it_changes_criteria_until_review_starts(client_for, manager, call):
    client = client_for(manager)
    response = client.post(
        reverse("manage-criterion-create", args=[call.pk]),
        {"title": "Sustainability", "weight": "1.5", "max_score": "10", "pass_threshold": "4"},
    )
    assert response.status_code == 302
    criterion = call.criteria.get(title="Sustainability")
    assert criterion.weight == Decimal("1.5") and criterion.pass_threshold == Decimal("4")

    call.close()
    call.save()
    call.start_review()
    call.save()
    response = client.post(
        reverse("manage-criterion-edit", args=[call.pk, criterion.pk]),
        {"title": "Changed", "weight": "1", "max_score": "10"},
    )
    criterion.refresh_from_db()
    assert criterion.title == "Sustainability"
    client.post(reverse("manage-criterion-delete", args=[call.pk, criterion.pk]))
    assert Criterion.objects.filter(pk=criterion.pk).exists()


def test_it_refuses_a_threshold_above_the_maximum_score(client_for, manager, call):
    response = client_for(manager).post(
        reverse("manage-criterion-create", args=[call.pk]),
        {"title": "Budget", "weight": "1", "max_score": "5", "pass_threshold": "6"},
    )
    assert response.status_code == 200
    assert "cannot exceed the maximum score" in response.content.decode()


def test_it_cannot_reach_a_question_through_another_call(
    client_for, manager, call, draft_media_call
):
    question = call.questions.first()
    url = reverse("manage-question-edit", args=[draft_media_call.pk, question.pk])
    assert client_for(manager).get(url).status_code == 404


# Transitions ---------------------------------------------------------------------------


def test_it_shows_only_the_transitions_available_now(client_for, manager, draft_media_call, call):
    client = client_for(manager)
    draft_page = client.get(reverse("manage-call", args=[draft_media_call.pk])).content.decode()
    assert "transitions/publish/" in draft_page and "transitions/cancel/" in draft_page
    assert "transitions/close/" not in draft_page
    open_page = client.get(reverse("manage-call", args=[call.pk])).content.decode()
    assert "transitions/close/" in open_page and "transitions/cancel/" in open_page
    assert "transitions/publish/" not in open_page
    assert "transitions/start_review/" not in open_page


def test_it_publishes_closes_and_starts_review(client_for, manager, draft_media_call):
    client = client_for(manager)
    for name, state in (
        ("publish", Call.State.OPEN),
        ("close", Call.State.CLOSED),
        ("start_review", Call.State.IN_REVIEW),
    ):
        response = client.post(reverse("manage-call-transition", args=[draft_media_call.pk, name]))
        assert response.status_code == 302
        draft_media_call.refresh_from_db()
        assert draft_media_call.state == state


def test_it_cancels_with_a_comment(client_for, manager, draft_media_call):
    from workflows.models import TransitionLog

    client_for(manager).post(
        reverse("manage-call-transition", args=[draft_media_call.pk, "cancel"]),
        {"comment": "Donor withdrew"},
    )
    draft_media_call.refresh_from_db()
    assert draft_media_call.state == Call.State.CANCELLED
    assert TransitionLog.objects.for_object(draft_media_call).get().comment == "Donor withdrew"


def test_it_reports_a_transition_conflict_as_a_message(client_for, manager, call):
    response = client_for(manager).post(
        reverse("manage-call-transition", args=[call.pk, "publish"]), follow=True
    )
    assert response.status_code == 200
    assert "cannot be done while it is" in response.content.decode()
    call.refresh_from_db()
    assert call.state == Call.State.OPEN


def test_it_refuses_to_publish_a_call_whose_closing_time_has_passed(client_for, manager, programme):
    import django.utils.timezone as tz

    stale = f.CallFactory(
        programme=programme,
        state=Call.State.DRAFT,
        opens_at=tz.now() - dt.timedelta(days=10),
        closes_at=tz.now() - dt.timedelta(days=1),
    )
    response = client_for(manager).post(
        reverse("manage-call-transition", args=[stale.pk, "publish"]), follow=True
    )
    assert "closing time has passed" in response.content.decode()
    stale.refresh_from_db()
    assert stale.state == Call.State.DRAFT
