"""Reads of review, always for a given viewer: a reviewer's assignments, an assignment and its
application as the reviewer may see them (blind review, conflict gate), the other reviews, the
assignment matrix of a call."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from applications.models import Application, Review, ReviewAssignment
from grants.models import Call
from grants.policies import STAFF_ROLES, roles_of


def assignments_visible_to(user) -> QuerySet[ReviewAssignment]:
    """A reviewer's own assignments (assignments_of_reviewer); for programme staff, also every
    assignment on their programmes' calls. With the reviewer and the scoring progress."""
    staffed = roles_of(user).programmes_with(*STAFF_ROLES)
    if staffed:
        assignments = (
            ReviewAssignment.objects.filter(
                Q(reviewer_id=user.pk) | Q(application__call__programme_id__in=staffed)
            )
            .select_related("application__call__programme", "application__organisation")
            .order_by("state", "due_at", "pk")
        )
    else:
        assignments = assignments_of_reviewer(user)
    # Counted distinct: scores and criteria are two joins, and each would multiply the other.
    return assignments.select_related("reviewer").annotate(
        scored=Count(
            "review__scores", filter=Q(review__scores__score__isnull=False), distinct=True
        ),
        criteria_count=Count("application__call__criteria", distinct=True),
    )


def assignments_of_reviewer(user) -> QuerySet[ReviewAssignment]:
    """The reviewer's dashboard: their assignments with the call, and how far they got."""
    if not user.is_authenticated:
        return ReviewAssignment.objects.none()
    return (
        ReviewAssignment.objects.filter(reviewer=user)
        .select_related("application__call__programme", "application__organisation")
        .annotate(
            scored=Count(
                "review__scores", filter=Q(review__scores__score__isnull=False), distinct=True
            ),
            criteria_count=Count("application__call__criteria", distinct=True),
        )
        .order_by("state", "due_at", "pk")
    )


def assignment_for_reviewer(user, assignment_id: int) -> ReviewAssignment:
    """The assignment if it is this user's; DoesNotExist (→ 404) otherwise."""
    return (
        ReviewAssignment.objects.filter(reviewer_id=user.pk if user.is_authenticated else None)
        .select_related("application__call__programme", "application__organisation")
        .get(pk=assignment_id)
    )


def application_for_reviewer(assignment: ReviewAssignment) -> Application:
    """The application's content, only once the reviewer declared no conflict."""
    if not assignment.can_see_content:
        raise Application.DoesNotExist("Declare your conflict of interest first.")
    return (
        Application.objects.select_related("call__programme", "organisation")
        .prefetch_related(
            "answers__question",
            "budget_lines",
            "attachments",
            "partners__organisation",
            "call__questions",
            "call__criteria",
        )
        .get(pk=assignment.application_id)
    )


def shows_applicant(assignment: ReviewAssignment) -> bool:
    """In blind review the applicant's identity is hidden from reviewers."""
    return not assignment.application.call.blind_review


def other_reviews_for(assignment: ReviewAssignment) -> list[Review]:
    """Other reviewers' submitted reviews of the same application — only after this reviewer
    submitted their own, and only if the call allows it. Returned without names."""
    call = assignment.application.call
    if (
        call.other_reviews_visible != Call.ReviewVisibility.AFTER_SUBMIT
        or assignment.state != ReviewAssignment.State.SUBMITTED
    ):
        return []
    return list(
        Review.objects.filter(
            assignment__application_id=assignment.application_id,
            assignment__state=ReviewAssignment.State.SUBMITTED,
        )
        .exclude(assignment=assignment)
        .prefetch_related("scores__criterion")
        .order_by("pk")
    )


def calls_for_review_management(user) -> QuerySet[Call]:
    """Calls whose review the user can follow (programme staff)."""
    staffed = roles_of(user).programmes_with(*STAFF_ROLES)
    return Call.objects.filter(programme_id__in=staffed).select_related("programme")


def assignment_matrix(call: Call) -> dict:
    """Applications × reviewers of a call for the manager's matrix: three queries."""
    applications = list(
        Application.objects.filter(
            call=call,
            state__in=[
                Application.State.ELIGIBLE,
                Application.State.IN_REVIEW,
                Application.State.REVIEWED,
                Application.State.MODERATION,
                Application.State.SHORTLISTED,
                Application.State.RESERVE,
                Application.State.AWARDED,
                Application.State.REJECTED,
            ],
        )
        .select_related("organisation")
        .order_by("pk")
    )
    reviewers = list(call.reviewer_links.select_related("user").order_by("user_id"))
    cells = {
        (a.application_id, a.reviewer_id): a
        for a in ReviewAssignment.objects.filter(application__call=call).only(
            "pk", "application_id", "reviewer_id", "state", "due_at"
        )
    }
    return {"applications": applications, "reviewers": reviewers, "cells": cells}


def open_assignments_on_call(*, call, reviewer_ids) -> QuerySet[ReviewAssignment]:
    """The assignments on `call` that these reviewers still have to finish (invited, accepted
    or reopened): while one is open, the reviewer stays in the pool."""
    return ReviewAssignment.objects.filter(
        application__call=call,
        reviewer_id__in=list(reviewer_ids),
        state__in=[
            ReviewAssignment.State.INVITED,
            ReviewAssignment.State.ACCEPTED,
            ReviewAssignment.State.REOPENED,
        ],
    )
