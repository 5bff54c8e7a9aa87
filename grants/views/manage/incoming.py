"""Incoming grants: a donor's grant to the lead organisation, entered by its administrators and
read by the staff of the programmes it funds."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from grants import policies
from grants.forms.grants import (
    IncomingGrantForm,
    incoming_grant_initial,
)
from grants.selectors.cascade import (
    incoming_grant_summary,
)
from grants.selectors.grants import (
    incoming_grant_for_member,
    incoming_grant_for_staff,
)
from grants.selectors.organisations import organisations_administered_by
from grants.selectors.programmes import staffed_programme_ids
from grants.services import grants as grants_services
from grants.services.grants import (
    incoming_grant_update,
)
from workflows.exceptions import TransitionConflict
from workflows.permissions import require
from workflows.refusals import refusal_as_message, refusal_on_form


@login_required
def incoming_grant(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = incoming_grant_for_staff(request.user, grant_id)
    summary = incoming_grant_summary(grant, viewer=request.user)
    return render(
        request,
        "grants_manage/incoming_grant.html",
        {
            "grant": grant,
            "summary": summary,
            "staffed": staffed_programme_ids(request.user),
        },
    )


@login_required
def incoming_grant_create(request: HttpRequest) -> HttpResponse:
    # Any administrator of an organisation: the same rule as starting a programme.
    require(
        policies.can_create_programme,
        user=request.user,
        message=_("Only an administrator of an organisation can enter its grants."),
    )
    form = IncomingGrantForm(
        request.POST if request.method == "POST" else None,
        organisations=organisations_administered_by(request.user),
    )
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            grant = grants_services.incoming_grant_create(actor=request.user, **form.cleaned_data)
            messages.success(
                request,
                _("Incoming grant saved. Choose it as the funding grant of a programme."),
            )
            return redirect("manage-incoming-grant-edit", grant_id=grant.pk)
    return render(
        request,
        "grants_manage/incoming_grant_form.html",
        {"form": form, "grant": None},
        status=400 if form.errors else 200,
    )


@login_required
def incoming_grant_edit(request: HttpRequest, grant_id: int) -> HttpResponse:
    # Seen by the organisation's members (404 for anyone else); changed by its administrators.
    grant = incoming_grant_for_member(request.user, grant_id)
    require(
        policies.can_manage_grant,
        user=request.user,
        grant=grant,
        message=_("Only an administrator of the organisation can do this."),
    )
    form = IncomingGrantForm(
        request.POST if request.method == "POST" else None, initial=incoming_grant_initial(grant)
    )
    if request.method == "POST" and form.is_valid():
        with refusal_as_message(request, TransitionConflict), refusal_on_form(form):
            grant = incoming_grant_update(grant=grant, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Incoming grant saved."))
            return redirect("manage-incoming-grant-edit", grant_id=grant.pk)
    staffed = staffed_programme_ids(request.user)
    funded = list(grant.funded_programmes.order_by("title"))
    return render(
        request,
        "grants_manage/incoming_grant_form.html",
        {
            "form": form,
            "grant": grant,
            "funded_programmes": funded,
            "staffed": staffed,
            "summary_visible": any(p.pk in staffed for p in funded),
        },
        status=400 if form.errors else 200,
    )
