"""Fixtures of the applications tests, built with the services the way the people would act:
applicants submit, the manager screens and assigns, reviewers declare and score. The personas
live in tests/conftest.py; the builders in tests/factories.py.

- `eligible_factory`, `pool`: eligible applications of new organisations; reviewers in the pool
- `assigned`, `ranked`, `ranked_in_review`, `proposed`: org_a's application assigned to two
  reviewers; the X/Y/Z example scored by hand, in review, and its award list proposed
- `application`, `assignment`, `accepted`: org_a's eligible application with its statute, the
  persona reviewer's assignment on it, accepted (no conflict declared)
- `scheme_a_to_f` (`moderated_a_to_f`, `in_review_a_to_f`): six applications scored on three
  criteria, the hand-computed example of the ranking; its divergent C moderated; in review
- `scheme_abc` (`moderated_abc`, `in_review_abc`): three applications scored by the persona
  reviewer and `second_reviewer`; C moderated through its page; in review
"""

import functools
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.services.applications import application_submit, attachment_add
from applications.services.awards import award_list_propose
from applications.services.moderation import moderation_record_consensus
from applications.services.review import (
    assignment_create,
    assignment_declare,
    assignments_auto_assign,
)
from applications.services.screening import application_screen
from grants.models import Call
from grants.services.calls import call_close, call_start_review
from tests import factories as f
from tests.samples import PDF_BYTES


@pytest.fixture
def eligible_factory(call, manager):
    """Eligible applications of new organisations, each requesting `requested`."""
    return functools.partial(f.eligible_application, call=call, manager=manager)


@pytest.fixture
def pool(call):
    """Add n reviewers to the call's pool."""

    def make(n, **kwargs):
        return [f.CallReviewerFactory(call=call, **kwargs).user for _ in range(n)]

    return make


@pytest.fixture
def assigned(call, manager, draft, applicant_a, pool, pdf):
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
def ranked(call, manager, eligible_factory, pool):
    """Three applications asking 10,000 each, scored by two reviewers; budget 25,000."""
    Call.objects.filter(pk=call.pk).update(budget=Decimal("25000"), reviewers_per_application=2)
    call.refresh_from_db()
    apps = {key: eligible_factory(requested="10000") for key in EXAMPLE}
    r1, r2 = pool(2)
    assignments_auto_assign(call=call, actor=manager)
    for key, (first, second) in EXAMPLE.items():
        for reviewer, (relevance, feasibility) in ((r1, first), (r2, second)):
            f.score(
                apps[key].assignments.get(reviewer=reviewer),
                {"Relevance": relevance, "Feasibility": feasibility},
            )
    for app in apps.values():
        app.refresh_from_db()
    return apps


@pytest.fixture
def ranked_in_review(ranked, call, manager):
    """The example's call closed by hand and in review: ready for an award list."""
    call_close(call=call, actor=manager)
    call_start_review(call=call, actor=manager)
    return ranked


@pytest.fixture
def proposed(ranked_in_review, call, manager):
    return award_list_propose(call=call, actor=manager, comment="As ranked.")


@pytest.fixture
def application(call, manager, draft, applicant_a):
    """org_a's application ("Youth Initiative Novi Sad"), submitted and eligible, with its
    statute attached under a file name that gives the applicant away."""
    attachment_add(
        application=draft,
        actor=applicant_a,
        upload=SimpleUploadedFile("YINS-statute.pdf", PDF_BYTES, content_type="application/pdf"),
        question=call.questions.get(kind="file"),
    )
    application_submit(application=draft, actor=applicant_a)
    return application_screen(application=draft, actor=manager, eligible=True)


@pytest.fixture
def second_reviewer(call):
    return f.CallReviewerFactory(
        call=call, user__email="second@reviewers.example", user__full_name="Second Expert"
    ).user


@pytest.fixture
def spare_reviewer(call):
    return f.CallReviewerFactory(
        call=call, user__email="spare@reviewers.example", user__full_name="Spare Expert"
    ).user


@pytest.fixture
def assignment(call, manager, application, reviewer, second_reviewer):
    """The persona reviewer's assignment on `application`; `second_reviewer` is the other of
    the two. Assigned by hand, so that a spare reviewer in the pool stays spare."""
    mine = assignment_create(application=application, reviewer=reviewer, actor=manager)
    assignment_create(application=application, reviewer=second_reviewer, actor=manager)
    return mine


@pytest.fixture
def accepted(assignment, reviewer):
    assignment_declare(assignment=assignment, actor=reviewer, conflict=False)
    assignment.refresh_from_db()
    return assignment


# The hand-computed example (see the docstring of `scheme_a_to_f`).
SCORES = {
    #        reviewer 1 (relevance, feasibility, budget)   reviewer 2
    "A": ("10000", (4, 4, 8), (5, 3, 6)),  # means 4.5 3.5 7 → 80.00
    "B": ("12000", (4, 4, 8), (4, 4, 8)),  # 80.00: ties with A, lower relevance → after A
    "C": ("15000", (5, 5, 10), (2, 2, 4)),  # 100 vs 40: diverges → moderation, consensus 75.00
    "D": ("5000", (1.5, 4, 8), (2, 4, 8)),  # 57.50 but relevance 1.75 < 2 → rejected
    "E": ("9000", (3, 3, 6), (3, 3, 6)),  # 60.00: does not fit the 8,000 left → reserve
    "F": ("6000", (3, 2.5, 6), (3, 2.5, 5)),  # 55.83: fits the 8,000 left → award
}


@pytest.fixture
def scheme_a_to_f(call, manager, eligible_factory, pool):
    """Criteria: relevance (weight 3, max 5, pass 2), feasibility (2, 5, none), budget
    (1, 10, pass 4); pass mark 50; budget 30,000; two reviewers each.
    total = (3·rel/5 + 2·fea/5 + 1·bud/10) / 6 · 100."""
    call.criteria.all().delete()
    f.CriterionFactory(
        call=call, title="Relevance", weight=3, max_score=5, pass_threshold=2, order=1
    )
    f.CriterionFactory(
        call=call, title="Feasibility", weight=2, max_score=5, pass_threshold=None, order=2
    )
    f.CriterionFactory(call=call, title="Budget", weight=1, max_score=10, pass_threshold=4, order=3)
    Call.objects.filter(pk=call.pk).update(
        budget=Decimal("30000"), pass_threshold=Decimal("50"), reviewers_per_application=2
    )
    call.refresh_from_db()
    apps = {key: eligible_factory(requested=requested) for key, (requested, *_r) in SCORES.items()}
    r1, r2 = pool(2)
    assignments_auto_assign(call=call, actor=manager)
    for key, (_requested, first, second) in SCORES.items():
        for reviewer, values in ((r1, first), (r2, second)):
            assignment = apps[key].assignments.get(reviewer=reviewer)
            f.score(
                assignment, dict(zip(["Relevance", "Feasibility", "Budget"], values, strict=True))
            )
    for app in apps.values():
        app.refresh_from_db()
    return apps


@pytest.fixture
def moderated_a_to_f(scheme_a_to_f, manager):
    criteria = {c.title: c.pk for c in scheme_a_to_f["C"].call.criteria.all()}
    moderation_record_consensus(
        application=scheme_a_to_f["C"],
        actor=manager,
        scores={
            criteria["Relevance"]: {"score": 4, "justification": "Strong local need."},
            criteria["Feasibility"]: {"score": 3.5},
            criteria["Budget"]: {"score": 7},
        },
    )
    return scheme_a_to_f


@pytest.fixture
def in_review_a_to_f(moderated_a_to_f, call, manager):
    Call.objects.filter(pk=call.pk).update(
        closes_at=call.opens_at + (call.closes_at - call.opens_at) / 2
    )
    call_close(call=call, actor=manager)
    call_start_review(call=call, actor=manager)
    return moderated_a_to_f


def consensus_data(call, relevance="3", feasibility="3", justification="Agreed in the panel."):
    data = {}
    for criterion in call.criteria.all():
        data[f"score_{criterion.pk}"] = relevance if criterion.title == "Relevance" else feasibility
        data[f"justification_{criterion.pk}"] = justification
    return data


@pytest.fixture
def scheme_abc(call, manager, reviewer, second_reviewer):
    """Three applications, two reviewers each. Budget 15,000: A (82/90 → 86, asks 10,000) is
    funded, B (60/52 → 56, asks 10,000) does not fit and is in reserve, C (100 vs 20)
    diverges and waits for moderation."""
    Call.objects.filter(pk=call.pk).update(budget=Decimal("15000"))
    call.refresh_from_db()
    apps = {
        "A": f.eligible_application(
            call=call, manager=manager, legal_name="Alpha Citizens", short_name="ALPHA"
        ),
        "B": f.eligible_application(
            call=call, manager=manager, legal_name="Beta Youth", short_name="BETA"
        ),
        "C": f.eligible_application(
            call=call, manager=manager, legal_name="Gamma Women", short_name="GAMMA"
        ),
    }
    assignments_auto_assign(call=call, actor=manager)
    values = {"A": ((4, 4), (5, 4)), "B": ((3, 3), (3, 2)), "C": ((5, 5), (1, 1))}
    for key, (first, second) in values.items():
        for person, (relevance, feasibility) in ((reviewer, first), (second_reviewer, second)):
            f.score(
                apps[key].assignments.get(reviewer=person),
                {"Relevance": relevance, "Feasibility": feasibility},
                comment=f"{key} comment by {person.email.split('@')[0]}",
            )
    for app in apps.values():
        app.refresh_from_db()
    return apps


@pytest.fixture
def moderated_abc(scheme_abc, call, manager, client_for):
    response = client_for(manager).post(
        reverse("review-manage-consensus", args=[scheme_abc["C"].pk]), consensus_data(call)
    )
    assert response.status_code == 302
    return scheme_abc


@pytest.fixture
def in_review_abc(moderated_abc, call, manager):
    f.start_call_review(call, manager)
    return moderated_abc
