"""Fixtures of the review API tests. The personas live in tests/conftest.py; the review
helpers (eligible applications, a reviewer pool, scoring) in tests/review/conftest.py."""

from decimal import Decimal

import pytest

from applications.services.applications import application_submit, attachment_add
from applications.services.awards import award_list_propose
from applications.services.review import assignments_auto_assign
from applications.services.screening import application_screen
from grants.models import Call
from grants.services.calls import call_close, call_start_review
from tests.api.conftest import pdf  # noqa: F401
from tests.review.conftest import eligible_factory, pool, score  # noqa: F401


@pytest.fixture
def assigned(call, manager, draft, applicant_a, pool, pdf):  # noqa: F811
    """org_a's application, with a file, and two reviewers (`first`, `second`); `outsider`
    is in the call's pool but not assigned to it."""
    Call.objects.filter(pk=call.pk).update(reviewers_per_application=2)
    attachment_add(application=draft, actor=applicant_a, upload=pdf())
    application_submit(application=draft, actor=applicant_a)
    application = application_screen(application=draft, actor=manager, eligible=True)
    first, second, outsider = pool(3)
    assignments_auto_assign(call=call, actor=manager)
    return {
        "application": application,
        "first": first,
        "second": second,
        "outsider": outsider,
        "mine": application.assignments.get(reviewer=first),
        "theirs": application.assignments.get(reviewer=second),
    }


# A small call scored by hand. Criteria of the `call` fixture: Relevance (weight 3) and
# Feasibility (weight 2), both out of 5: total = (3·rel/5 + 2·fea/5) / 5 · 100 = 12·rel + 8·fea.
EXAMPLE = {
    #      reviewer 1   reviewer 2    means        total
    "X": ((4, 4), (5, 4)),  # 4.5  4.0  → 86.00 → award
    "Y": ((3, 3), (3, 4)),  # 3.0  3.5  → 64.00 → reserve (5,000 left, 10,000 asked)
    "Z": ((4, 3), (4, 3)),  # 4.0  3.0  → 72.00 → award
}


@pytest.fixture
def ranked(call, manager, eligible_factory, pool):  # noqa: F811
    """Three applications asking 10,000 each, scored by two reviewers; budget 25,000."""
    Call.objects.filter(pk=call.pk).update(budget=Decimal("25000"), reviewers_per_application=2)
    call.refresh_from_db()
    apps = {key: eligible_factory(requested="10000") for key in EXAMPLE}
    r1, r2 = pool(2)
    assignments_auto_assign(call=call, actor=manager)
    for key, (first, second) in EXAMPLE.items():
        for reviewer, (relevance, feasibility) in ((r1, first), (r2, second)):
            score(
                apps[key].assignments.get(reviewer=reviewer),
                {"Relevance": relevance, "Feasibility": feasibility},
            )
    for app in apps.values():
        app.refresh_from_db()
    return apps


@pytest.fixture
def in_review(ranked, call, manager):
    """The example's call closed by hand and in review: ready for an award list."""
    call_close(call=call, actor=manager)
    call_start_review(call=call, actor=manager)
    return ranked


@pytest.fixture
def proposed(in_review, call, manager):
    return award_list_propose(call=call, actor=manager, comment="As ranked.")
