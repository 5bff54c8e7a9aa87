"""Fixtures of the review pages, built with the services the way the people would act:
applicants submit, the manager screens and assigns, reviewers declare and score."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.models import BudgetLine, ReviewAssignment
from applications.services.applications import application_submit, attachment_add
from applications.services.review import (
    assignment_create,
    assignment_declare,
    review_save,
    review_submit,
)
from applications.services.screening import application_screen
from grants.services.calls import call_close, call_start_review
from tests import factories as f

HTMX = {"HTTP_HX_REQUEST": "true"}


def eligible(call, manager, *, organisation=None, requested="10000", **org_fields):
    """A complete application of a new (or the given) organisation, submitted and screened."""
    if organisation is None:
        organisation = f.OrganisationFactory(**org_fields)
    member = f.MembershipFactory(organisation=organisation).user
    application = f.complete_application(call=call, organisation=organisation, created_by=member)
    BudgetLine.objects.filter(application=application).update(
        amount_requested=Decimal(requested), own_contribution=Decimal(requested) / 5
    )
    application_submit(application=application, actor=member)
    return application_screen(application=application, actor=manager, eligible=True)


def score(assignment, values: dict, comment="Well argued.", recommendation="fund"):
    """Declare no conflict, score by criterion title, submit."""
    assignment = ReviewAssignment.objects.select_related("application__call").get(pk=assignment.pk)
    if assignment.state == "invited":
        assignment_declare(assignment=assignment, actor=assignment.reviewer, conflict=False)
    criteria = {c.title: c.pk for c in assignment.application.call.criteria.all()}
    review_save(
        assignment=assignment,
        actor=assignment.reviewer,
        scores={criteria[t]: {"score": v, "comment": comment} for t, v in values.items()},
        overall_comment="Solid.",
        recommendation=recommendation,
    )
    return review_submit(assignment=assignment, actor=assignment.reviewer)


def start_call_review(call, manager):
    call_close(call=call, actor=manager)
    call_start_review(call=call, actor=manager)
    call.refresh_from_db()


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def application(call, manager, draft, applicant_a):
    """org_a's application ("Youth Initiative Novi Sad"), submitted and eligible, with its
    statute attached under a file name that gives the applicant away."""
    attachment_add(
        application=draft,
        actor=applicant_a,
        upload=SimpleUploadedFile("YINS-statute.pdf", PDF, content_type="application/pdf"),
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
