"""The review journeys of issue 3 in a real browser (Debian's Chromium, see tests/conftest.py):
a reviewer declares no conflict and scores (autosave, then submit); another declares a
conflict and a replacement is assigned; a manager auto-assigns with one click, moderates a
divergent application and proposes the award list; an approver approves; the applicant sees
the outcome. What is not the point of a journey is set up with the services.

Set REVIEW_SCREENSHOTS=/some/dir to keep screenshots of the key pages."""

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from applications.models import Application, AwardList, ReviewAssignment, Score
from applications.services.awards import award_list_propose
from applications.services.review import assignment_create, assignments_auto_assign
from grants.models import Call
from tests import factories as f

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("REVIEW_SCREENSHOTS", "")


def shot(page, name: str, **kwargs) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True, **kwargs)


@pytest.fixture
def hand_assigned(call, manager, draft, applicant_a):
    """org_a's application, eligible, assigned to two reviewers; a third waits in the pool."""
    from applications.services.applications import application_submit
    from applications.services.screening import application_screen

    application_submit(application=draft, actor=applicant_a)
    application = application_screen(application=draft, actor=manager, eligible=True)
    first = f.CallReviewerFactory(
        call=call, user__email="first@reviewers.example", user__full_name="Mira First"
    ).user
    second = f.CallReviewerFactory(
        call=call, user__email="second@reviewers.example", user__full_name="Luka Second"
    ).user
    spare = f.CallReviewerFactory(
        call=call, user__email="spare@reviewers.example", user__full_name="Ena Spare"
    ).user
    assignment_create(application=application, reviewer=first, actor=manager)
    assignment_create(application=application, reviewer=second, actor=manager)
    return application, first, second, spare


def test_a_reviewer_declares_no_conflict_and_scores(live_server, login_page, page, hand_assigned):
    application, first, _second, _spare = hand_assigned
    login_page(first)
    page.goto(f"{live_server.url}{reverse('review-dashboard')}")
    shot(page, "reviewer-dashboard")
    page.get_by_role("link", name=application.title).click()

    # The gate: title, call and due date, but no content yet.
    expect(page.get_by_role("heading", name="Conflict of interest")).to_be_visible()
    expect(page.get_by_text("A clear and complete answer.")).to_have_count(0)
    shot(page, "reviewer-gate")
    page.get_by_label("I have no conflict of interest with this application").check()
    page.get_by_role("button", name="Send my declaration").click()
    expect(page.get_by_text("You declared no conflict of interest.")).to_be_visible()
    expect(page.get_by_text("A clear and complete answer.").first).to_be_visible()

    # Autosave: a score off the step is refused next to the field, then corrected.
    relevance = page.get_by_label("Score for “Relevance” (0 to 5)")
    relevance.fill("4.25")
    status = page.locator("#review-status")
    expect(status).to_contain_text("Not saved")
    expect(page.locator("#criterion-" + str(_criterion(application, "Relevance")))).to_contain_text(
        "steps of 0.5"
    )
    expect(relevance).to_have_attribute("aria-invalid", "true")
    relevance.fill("4")
    expect(status).to_contain_text("Saved at")
    expect(relevance).not_to_have_attribute("aria-invalid", "true")
    page.get_by_label("Comment on “Relevance”").fill("Clear local need, well evidenced.")
    page.get_by_label("Score for “Feasibility” (0 to 5)").fill("3.5")
    page.get_by_label("Comment on “Feasibility”").fill("Realistic plan, tight timeline.")
    page.get_by_label("Overall comment").fill("Worth funding.")
    page.get_by_label("Recommendation").select_option("fund")
    expect(status).to_contain_text("Saved at")
    _wait_for(lambda: Score.objects.filter(comment__startswith="Realistic").exists())
    shot(page, "reviewer-form")
    page.set_viewport_size({"width": 375, "height": 800})
    shot(page, "reviewer-form-phone")
    page.set_viewport_size({"width": 1280, "height": 720})

    # Submit locks the review.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit review").click()
    expect(page.get_by_text("Your review is submitted.")).to_be_visible()
    expect(page.get_by_text("Your review is locked.")).to_be_visible()
    expect(page.locator("#review-form")).to_have_count(0)
    assignment = ReviewAssignment.objects.get(application=application, reviewer=first)
    assert assignment.state == "submitted"
    scores = {s.criterion.title: s.score for s in Score.objects.select_related("criterion")}
    assert scores == {"Relevance": Decimal("4.00"), "Feasibility": Decimal("3.50")}
    shot(page, "reviewer-submitted")


def test_another_reviewer_declares_a_conflict_and_is_replaced(
    live_server, login_page, page, hand_assigned
):
    application, _first, second, spare = hand_assigned
    login_page(second)
    page.goto(f"{live_server.url}{reverse('review-dashboard')}")
    page.get_by_role("link", name=application.title).click()
    page.get_by_label("I have a conflict of interest").check()
    page.get_by_role("button", name="Send my declaration").click()
    expect(page.get_by_text("Describe the conflict of interest.").first).to_be_visible()
    page.get_by_label("Describe the conflict").fill("My sister chairs the applicant's board.")
    page.get_by_role("button", name="Send my declaration").click()
    expect(page.get_by_text("You are recused from")).to_be_visible()
    expect(page.get_by_text("Recused (conflict)")).to_be_visible()

    mine = ReviewAssignment.objects.get(application=application, reviewer=second)
    assert mine.state == "recused"
    replacement = ReviewAssignment.objects.get(application=application, reviewer=spare)
    assert replacement.state == "invited"


def test_a_manager_auto_assigns_moderates_and_proposes(
    live_server, login_page, page, call, manager
):
    Call.objects.filter(pk=call.pk).update(budget=Decimal("15000"))
    apps = {
        key: f.eligible_application(call=call, manager=manager, legal_name=name)
        for key, name in (("A", "Alpha Citizens"), ("B", "Beta Youth"), ("C", "Gamma Women"))
    }
    people = [
        f.CallReviewerFactory(call=call, user__full_name=name).user
        for name in ("Mira First", "Luka Second")
    ]
    login_page(manager)
    page.goto(f"{live_server.url}{reverse('review-manage-pool', args=[call.pk])}")
    expect(page.locator("#pool tbody tr")).to_have_count(2)
    shot(page, "manager-pool")
    page.goto(f"{live_server.url}{reverse('review-manage-matrix', args=[call.pk])}")
    shot(page, "manager-matrix-empty")
    page.get_by_role("button", name="Auto-assign").click()
    expect(page.get_by_text("6 assignments created.")).to_be_visible()
    expect(page.locator("#matrix tbody tr")).to_have_count(3)
    shot(page, "manager-matrix")

    # The reviewers score (not the point here); C's reviewers disagree.
    values = {"A": ((4, 4), (5, 4)), "B": ((3, 3), (3, 2)), "C": ((5, 5), (1, 1))}
    for key, pairs in values.items():
        for person, (relevance, feasibility) in zip(people, pairs, strict=True):
            f.score(
                apps[key].assignments.get(reviewer=person),
                {"Relevance": relevance, "Feasibility": feasibility},
            )
    assert Application.objects.get(pk=apps["C"].pk).state == "moderation"

    page.goto(f"{live_server.url}{reverse('review-manage-call', args=[call.pk])}")
    shot(page, "manager-review-home")
    page.get_by_role("link", name=re.compile(apps["C"].reference)).click()
    expect(page.get_by_role("heading", name="Reviews side by side")).to_be_visible()
    expect(page.locator("#side-by-side")).to_contain_text("Luka Second")
    page.get_by_label("Consensus score for “Relevance” (0 to 5)").fill("3.5")
    page.get_by_label("Consensus score for “Feasibility” (0 to 5)").fill("3")
    page.get_by_role("button", name="Record consensus").click()
    expect(page.get_by_text("Justify the change of “Relevance”.").first).to_be_visible()
    page.get_by_label("Justification for “Relevance”").fill(
        "The panel agreed the need is real but the reach is local."
    )
    page.get_by_role("button", name="Record consensus").click()
    expect(
        page.get_by_text(f"Consensus recorded: {apps['C'].reference} is reviewed.")
    ).to_be_visible()
    shot(page, "manager-moderated")

    page.goto(f"{live_server.url}{reverse('review-manage-ranking', args=[call.pk])}")
    expect(page.locator("#funding-line")).to_be_visible()
    shot(page, "manager-ranking")
    page.set_viewport_size({"width": 375, "height": 800})
    shot(page, "manager-ranking-phone")
    page.set_viewport_size({"width": 1280, "height": 720})

    f.start_call_review(call, manager)
    tabs = page.get_by_role("navigation", name="Review of the call")
    tabs.get_by_role("link", name="Decision").click()
    shot(page, "manager-decision-propose")
    page.get_by_label(f"Amount to award to {apps['A'].reference} (EUR)").fill("9500")
    page.get_by_label(f"Reason for a lower amount for {apps['A'].reference}").fill(
        "Equipment is not an eligible cost."
    )
    page.get_by_role("button", name="Propose the award list").click()
    expect(page.get_by_text("The award list is proposed.")).to_be_visible()
    expect(page.get_by_text("you cannot approve it")).to_be_visible()
    shot(page, "manager-proposed")
    award_list = AwardList.objects.get()
    item = award_list.items.get(application=apps["A"])
    assert (item.outcome, item.amount) == ("award", Decimal("9500.00"))


def test_an_approver_approves_and_the_applicant_sees_the_outcome(
    live_server, login_page, page, call, manager, approver, applicant_a, org_a
):
    Call.objects.filter(pk=call.pk).update(budget=Decimal("15000"), reviewers_per_application=1)
    call.refresh_from_db()
    ours = f.eligible_application(call=call, manager=manager, organisation=org_a)
    theirs = f.eligible_application(call=call, manager=manager)
    f.CallReviewerFactory(call=call)
    assignments_auto_assign(call=call, actor=manager)
    f.score(ours.assignments.get(), {"Relevance": 5, "Feasibility": 4}, comment="Strong plan.")
    f.score(theirs.assignments.get(), {"Relevance": 3, "Feasibility": 3})
    f.start_call_review(call, manager)
    award_list_propose(call=call, actor=manager)

    login_page(approver)
    page.goto(f"{live_server.url}{reverse('review-manage-decision', args=[call.pk])}")
    shot(page, "approver-decision")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Approve the award list").click()
    expect(page.get_by_text("The award list is approved.")).to_be_visible()
    expect(page.locator("#approved-items")).to_contain_text("Awarded")
    shot(page, "approver-approved")
    assert Application.objects.get(pk=ours.pk).state == "awarded"
    assert Application.objects.get(pk=theirs.pk).state == "reserve"

    page.get_by_role("button", name="Log out").click()
    login_page(applicant_a)
    page.goto(f"{live_server.url}{reverse('review-outcome', args=[ours.pk])}")
    expect(page.get_by_role("heading", name="Your application is awarded a grant")).to_be_visible()
    expect(page.get_by_text("10,000.00 EUR")).to_be_visible()
    expect(page.locator(".summary")).to_contain_text("Strong plan.")
    expect(page.locator("body")).not_to_contain_text("@")
    shot(page, "applicant-outcome")
    page.set_viewport_size({"width": 375, "height": 800})
    shot(page, "applicant-outcome-phone")


def _criterion(application, title):
    return application.call.criteria.get(title=title).pk


def _wait_for(condition, timeout=5.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")
