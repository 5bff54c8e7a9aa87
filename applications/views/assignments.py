"""The programme staff's review overview of a call, the assignment matrix, automatic and
manual assignment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from applications.forms.review import (
    AssignForm,
)
from applications.models import Application, ReviewAssignment
from applications.selectors.review import (
    assignment_matrix,
    call_for_staff,
)
from applications.services.review import (
    ASSIGNABLE_STATES,
    assignment_create,
    assignments_auto_assign,
)
from applications.views.review import _staff_context
from grants import policies as grant_policies
from grants.models import Call, CallReviewer
from workflows.exceptions import TransitionConflict
from workflows.permissions import require
from workflows.refusals import refusal_as_message, refusal_on_form


@login_required
@require_GET
def call_review(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_for_staff(request.user, call_id)
    labels = dict(Application.State.choices)
    application_counts = [
        {"state": row["state"], "label": labels.get(row["state"], row["state"]), "n": row["n"]}
        for row in Application.objects.filter(call=call)
        .exclude(state=Application.State.DRAFT)
        .values("state")
        .annotate(n=Count("pk"))
        .order_by("state")
    ]
    assignment_labels = dict(ReviewAssignment.State.choices)
    assignment_counts = [
        {"state": row["state"], "label": assignment_labels[row["state"]], "n": row["n"]}
        for row in ReviewAssignment.objects.filter(application__call=call)
        .values("state")
        .annotate(n=Count("pk"))
        .order_by("state")
    ]
    return render(
        request,
        "review_manage/call.html",
        {
            **_staff_context(request, call, "overview"),
            "application_counts": application_counts,
            "assignment_counts": assignment_counts,
            "pool_size": CallReviewer.objects.filter(call=call).count(),
            "in_moderation": Application.objects.filter(
                call=call, state=Application.State.MODERATION
            ).select_related("organisation"),
        },
    )


def _assign_choices(applications, reviewers) -> tuple[list, list]:
    assignable = [
        (a.pk, f"{a.reference} · {a.title}") for a in applications if a.state in ASSIGNABLE_STATES
    ]
    people = [(link.user_id, f"{link.user.display_name} <{link.user.email}>") for link in reviewers]
    return assignable, people


def _render_matrix(
    request: HttpRequest, call: Call, form: AssignForm | None = None, status: int = 200
) -> HttpResponse:
    matrix = assignment_matrix(call)
    reviewers = matrix["reviewers"]
    by_application: dict[int, list[ReviewAssignment]] = {}
    load: dict[int, int] = {}
    for (app_id, reviewer_id), assignment in matrix["cells"].items():
        by_application.setdefault(app_id, []).append(assignment)
        if assignment.state in ReviewAssignment.ACTIVE:
            load[reviewer_id] = load.get(reviewer_id, 0) + 1
    rows = []
    for application in matrix["applications"]:
        mine = by_application.get(application.pk, [])
        rows.append(
            {
                "application": application,
                "cells": [matrix["cells"].get((application.pk, r.user_id)) for r in reviewers],
                "active": sum(a.state in ReviewAssignment.ACTIVE for a in mine),
                "submitted": sum(a.state == ReviewAssignment.State.SUBMITTED for a in mine),
                "assignable": application.state in ASSIGNABLE_STATES,
            }
        )
    for link in reviewers:
        link.load = load.get(link.user_id, 0)
    applications, people = _assign_choices(matrix["applications"], reviewers)
    return render(
        request,
        "review_manage/matrix.html",
        {
            **_staff_context(request, call, "matrix"),
            "reviewers": reviewers,
            "rows": rows,
            "needed": call.reviewers_per_application,
            "form": form
            or AssignForm(applications=applications, reviewers=people, auto_id="assign_%s"),
            "gaps": sum(
                max(0, call.reviewers_per_application - r["active"])
                for r in rows
                if r["assignable"]
            ),
        },
        status=status,
    )


@login_required
@require_GET
def matrix(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_for_staff(request.user, call_id)
    return _render_matrix(request, call)


@login_required
@require_POST
def auto_assign(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_for_staff(request.user, call_id)
    require(grant_policies.can_manage_call, user=request.user, call=call)
    with refusal_as_message(request, TransitionConflict) as refused:
        created = assignments_auto_assign(call=call, actor=request.user)
    if refused:
        return redirect("review-manage-matrix", call.pk)
    messages.success(
        request,
        ngettext("%(n)d assignment created.", "%(n)d assignments created.", created)
        % {"n": created},
    )
    return redirect("review-manage-matrix", call.pk)


def _assign(request: HttpRequest, call: Call, form: AssignForm) -> ReviewAssignment | None:
    """Validate and call the service; problems land on the form."""
    if not form.is_valid():
        return None
    User = get_user_model()
    try:
        application = Application.objects.select_related("call").get(
            pk=form.cleaned_data["application"], call=call
        )
        reviewer = User.objects.get(pk=form.cleaned_data["reviewer"])
    except (Application.DoesNotExist, User.DoesNotExist):
        form.add_error(None, _("Choose an application and a reviewer of this call."))
        return None
    with refusal_on_form(form, conflicts=True):
        return assignment_create(application=application, reviewer=reviewer, actor=request.user)
    return None


@login_required
@require_POST
def assign(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_for_staff(request.user, call_id)
    require(grant_policies.can_manage_call, user=request.user, call=call)
    matrix_data = assignment_matrix(call)
    applications, people = _assign_choices(matrix_data["applications"], matrix_data["reviewers"])
    form = AssignForm(
        request.POST, applications=applications, reviewers=people, auto_id="assign_%s"
    )
    assignment = _assign(request, call, form)
    if assignment is None:
        return _render_matrix(request, call, form, status=400)
    messages.success(
        request,
        _("%(who)s is assigned to %(ref)s.")
        % {"who": assignment.reviewer.display_name, "ref": assignment.application.reference},
    )
    return redirect("review-manage-matrix", call.pk)
