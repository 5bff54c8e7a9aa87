"""The programme manager's journeys in a real browser (Debian's Chromium, see tests/conftest.py):
setting up and publishing a call, removing a question."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from grants.forms.common import utc_to_local
from grants.models import Call
from tests import factories as f

pytestmark = pytest.mark.browser


def local_input(moment: dt.datetime, zone: str = "Europe/Belgrade") -> str:
    return utc_to_local(moment, zone).strftime("%Y-%m-%dT%H:%M:%S")


def test_a_manager_sets_up_and_publishes_a_call(live_server, login_page, manager, programme):
    page = login_page(manager)
    page.goto(f"{live_server.url}{reverse('manage-home')}")
    expect(page.get_by_role("heading", name="Western Balkans Civic Fund")).to_be_visible()
    page.get_by_role("link", name="New call").click()

    # The call itself, with its times typed in the call's time zone.
    page.get_by_label("Title", exact=True).fill("Community radio grants 2027")
    page.get_by_label("Reference prefix").fill("RADIO")
    page.get_by_label("Summary").fill("Small grants for community radio stations.")
    page.get_by_label("Scope").select_option("regional")
    page.get_by_label("Time zone").select_option("Europe/Belgrade")
    now = timezone.now().replace(microsecond=0)
    closes = now + dt.timedelta(days=30)
    page.get_by_label("Opens at").fill(local_input(now - dt.timedelta(hours=1)))
    page.get_by_label("Closes at").fill(local_input(closes))
    page.get_by_label("Budget (EUR)").fill("60000")
    page.get_by_label("Minimum grant (EUR)").fill("3000")
    page.get_by_label("Maximum grant (EUR)").fill("12000")
    page.get_by_label("Minimum own contribution (% of total)").fill("15")
    for country in ("Bosnia and Herzegovina", "Kosovo", "Serbia"):
        page.get_by_label(country, exact=True).check()
    page.get_by_label("Media organisation").check()
    page.get_by_role("button", name="Create call").click()
    expect(page.get_by_text("Call created as a draft")).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile("Community radio grants 2027"))
    ).to_be_visible()

    # Two questions.
    questions = page.locator("#questions")
    questions.get_by_label("Question", exact=True).fill("What will the station broadcast?")
    questions.get_by_label("Kind of answer").select_option("long_text")
    questions.get_by_label("Maximum length (characters)").fill("2000")
    questions.get_by_role("button", name="Add question").click()
    expect(page.get_by_text("Question added.")).to_be_visible()
    questions.get_by_text("Add a question").click()
    questions.get_by_label("Question", exact=True).fill("Broadcast licence")
    questions.get_by_label("Kind of answer").select_option("file")
    questions.get_by_role("button", name="Add question").click()
    expect(questions.get_by_role("listitem")).to_have_count(2)

    # Two criteria.
    criteria = page.locator("#criteria")
    criteria.get_by_label("Criterion", exact=True).fill("Relevance to the community")
    criteria.get_by_label("Weight").fill("3")
    criteria.get_by_label("Maximum score").fill("10")
    criteria.get_by_label("Pass threshold").fill("5")
    criteria.get_by_role("button", name="Add criterion").click()
    expect(page.get_by_text("Criterion added.")).to_be_visible()
    criteria.get_by_text("Add a criterion").click()
    criteria.get_by_label("Criterion", exact=True).fill("Value for money")
    criteria.get_by_label("Weight").fill("2")
    criteria.get_by_role("button", name="Add criterion").click()
    expect(criteria.locator("tbody tr")).to_have_count(2)

    # Publish: only the buttons that make sense now are there.
    expect(page.get_by_role("button", name="Close")).to_have_count(0)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("The call is now “Open”.")).to_be_visible()
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)

    call = Call.objects.get(title="Community radio grants 2027")
    assert call.state == Call.State.OPEN
    assert call.closes_at == closes
    assert call.eligible_countries == ["BA", "RS", "XK"]
    assert list(call.questions.values_list("kind", flat=True)) == ["long_text", "file"]
    assert call.criteria.count() == 2

    # Anyone can now read it on the public list of calls.
    page.goto(f"{live_server.url}/")
    expect(page.get_by_text("Community radio grants 2027")).to_be_visible()


def test_a_manager_removes_a_question_after_confirming(
    live_server, login_page, page, manager, programme
):
    call = f.CallFactory(programme=programme, state=Call.State.DRAFT, title="Draft call")
    f.CallQuestionFactory(call=call, label="Keep me")
    f.CallQuestionFactory(call=call, label="Remove me")
    login_page(manager)
    page.goto(f"{live_server.url}{reverse('manage-call', args=[call.pk])}")
    items = page.locator("#questions li")
    expect(items).to_have_count(2)

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Remove Remove me").click()
    expect(items).to_have_count(2)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove Remove me").click()
    expect(page.get_by_text("Question removed.")).to_be_visible()
    expect(items).to_have_count(1)
    assert list(call.questions.values_list("label", flat=True)) == ["Keep me"]
