from decimal import Decimal

import pytest

from applications.models import BudgetLine
from applications.services.applications import application_submit
from applications.services.review import assignment_declare, review_save, review_submit
from applications.services.screening import application_screen
from tests import factories as f


@pytest.fixture
def eligible_factory(call, manager):
    """Eligible applications of new organisations, each requesting `requested`."""

    def make(requested="10000", country="RS", **org):
        membership = f.MembershipFactory(organisation__country=country, **org)
        application = f.complete_application(
            call=call, organisation=membership.organisation, created_by=membership.user
        )
        BudgetLine.objects.filter(application=application).update(
            amount_requested=Decimal(requested), own_contribution=Decimal(requested) / 5
        )
        application_submit(application=application, actor=membership.user)
        return application_screen(application=application, actor=manager, eligible=True)

    return make


@pytest.fixture
def pool(call):
    """Add n reviewers to the call's pool."""

    def make(n, **kwargs):
        return [f.CallReviewerFactory(call=call, **kwargs).user for _ in range(n)]

    return make


def score(assignment, values: dict, comment="Well argued.", recommendation="fund"):
    """Declare no conflict, score by criterion title, submit."""
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
