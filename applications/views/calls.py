"""The applicant's way in: the public calls and one call (readable without logging in), applying
to a call, and the dashboard. Every view fetches with a selector (applications.selectors) that
404s what this user may not see."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from applications.forms.applications import (
    ApplyForm,
)
from applications.models import Application
from applications.selectors.applications import (
    applications_of_member,
    applications_visible_to,
    call_for_applicant,
    with_budget_totals,
)
from applications.services.applications import application_create
from grants.countries import COUNTRIES
from grants.forms.organisations import OrganisationForm
from grants.models import (
    Call,
    Membership,
    MembershipInvitation,
    OrganisationType,
)
from grants.policies import roles_of
from grants.selectors.calls import calls_public
from grants.selectors.organisations import organisations_of
from grants.selectors.programmes import staffed_programme_ids
from workflows.exceptions import NotPermitted, TransitionConflict
from workflows.refusals import refusal_as_message

RECENTLY_CLOSED = dt.timedelta(days=90)


def _public_state(state: str) -> str:
    return str(Application.PUBLIC_STATUS.get(state, state))


@require_GET
def call_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    # One query: open calls and those that closed in the last months; split in Python.
    calls = (
        calls_public()
        .filter(Q(state=Call.State.OPEN) | Q(closes_at__gte=now - RECENTLY_CLOSED))
        .order_by("closes_at", "title")
    )
    open_calls, upcoming, closed = [], [], []
    for call in calls:
        if call.accepts_submissions_at(now):
            open_calls.append(call)
        elif call.state == Call.State.OPEN and call.opens_at > now:
            upcoming.append(call)
        else:
            closed.append(call)
    closed.reverse()
    return render(
        request,
        "calls/call_list.html",
        {"open_calls": open_calls, "upcoming": upcoming, "closed": closed},
    )


@require_GET
def call_detail(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_for_applicant(request.user, call_id)
    country_names = dict(COUNTRIES)
    type_names = dict(OrganisationType.choices)
    organisations = list(organisations_of(request.user)) if request.user.is_authenticated else []
    return render(
        request,
        "calls/call_detail.html",
        {
            "call": call,
            "questions": call.questions.all(),
            "criteria": call.criteria.all(),
            "countries": [country_names.get(c, c) for c in call.eligible_countries],
            "org_types": [type_names.get(t, t) for t in call.eligible_org_types],
            "organisations": organisations,
            "ineligible": [
                org
                for org in organisations
                if (call.eligible_countries and org.country not in call.eligible_countries)
                or (call.eligible_org_types and org.org_type not in call.eligible_org_types)
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def call_apply(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_for_applicant(request.user, call_id)
    organisations = organisations_of(request.user).order_by("legal_name")
    if not organisations.exists():
        messages.info(request, _("Create your organisation's profile first; then apply."))
        query = urlencode({"next": request.path})
        return redirect(f"{reverse('organisation-create')}?{query}")
    drafts = (
        applications_visible_to(request.user)
        .filter(call=call, organisation__in=organisations)
        .order_by("-updated_at")
    )
    form = ApplyForm(
        request.POST or None,
        organisations=organisations,
        initial={"organisation": organisations[0]},
    )
    if request.method == "POST" and form.is_valid():
        with refusal_as_message(request, TransitionConflict, NotPermitted):
            application = application_create(
                call=call,
                organisation=form.cleaned_data["organisation"],
                actor=request.user,
                title=form.cleaned_data["title"],
            )
            messages.success(request, _("Draft created. It saves as you type."))
            return redirect("application-edit", application.pk)
    return render(
        request,
        "calls/call_apply.html",
        {"call": call, "form": form, "drafts": drafts, "single": organisations.count() == 1},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("organisation")
        .order_by("organisation__legal_name")
    )
    applications = with_budget_totals(applications_of_member(request.user)).order_by("-updated_at")
    # Organisations that asked this person to join: they answer here (one query).
    invitations = (
        MembershipInvitation.objects.filter(user=request.user, answered_at__isnull=True)
        .select_related("organisation", "invited_by")
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "applications/dashboard.html",
        {
            "invitations": invitations,
            "memberships": memberships,
            "applications": applications,
            "is_programme_staff": bool(staffed_programme_ids(request.user)),
            "organisation_form": OrganisationForm() if not roles.organisation_ids else None,
            "open_calls": calls_public().filter(state=Call.State.OPEN).count(),
        },
    )
