"""Reads of review, always for a given viewer: a reviewer's assignments, an assignment and its
application as the reviewer may see them (blind review, conflict gate), the other reviews, the
assignment matrix of a call; for programme staff, one call, assignment or pool link of their
programmes, or 404."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from applications.models import Application, Review, ReviewAssignment
from grants.models import Call, CallReviewer
from grants.policies import roles_of
from grants.roles import STAFF_ROLES
from workflows.selectors import object_or_404


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


def assignment_for_reviewer(user, assignment_id, *, for_update: bool = False) -> ReviewAssignment:
    """The assignment if it is this user's; 404 for everyone else — programme staff included:
    a review, and the content behind the conflict gate, are the assigned reviewer's."""
    return object_or_404(
        ReviewAssignment.objects.filter(
            reviewer_id=user.pk if user.is_authenticated else None
        ).select_related("application__call__programme", "application__organisation"),
        assignment_id,
        for_update=for_update,
    )


def assignment_with_content_for_reviewer(
    user, assignment_id, *, for_update: bool = False
) -> ReviewAssignment:
    """The reviewer's assignment once they declared no conflict; 404 before (or if recused)."""
    assignment = assignment_for_reviewer(user, assignment_id, for_update=for_update)
    if not assignment.can_see_content:
        raise Http404
    return assignment


def assignment_for_staff(user, assignment_id, *, for_update: bool = False) -> ReviewAssignment:
    """An assignment on a call of the programmes the user staffs; else 404."""
    staffed = roles_of(user).programmes_with(*STAFF_ROLES)
    return object_or_404(
        ReviewAssignment.objects.select_related("application__call__programme").filter(
            application__call__programme_id__in=staffed
        ),
        assignment_id,
        for_update=for_update,
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


def call_for_staff(user, call_id, *, for_update: bool = False) -> Call:
    """A call (drafts too) of a programme the user staffs — its screening and its review;
    else 404."""
    return object_or_404(calls_for_review_management(user), call_id, for_update=for_update)


def pool_link_for_staff(user, call_id, link_id, *, for_update: bool = False) -> CallReviewer:
    """A reviewer in the pool of a call the user staffs; 404 if the call is not theirs, or the
    link is not in that call's pool."""
    call = call_for_staff(user, call_id)
    return object_or_404(
        CallReviewer.objects.select_related("user", "call__programme").filter(call=call),
        link_id,
        for_update=for_update,
    )


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
