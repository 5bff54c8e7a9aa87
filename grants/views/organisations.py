"""The organisation profile an applicant keeps: creating an organisation (its creator becomes
its administrator) and changing its profile (administrators only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.views import _next_url
from grants import policies
from grants.forms.organisations import OrganisationForm
from grants.models import Organisation
from grants.selectors.organisations import organisation_for_member
from grants.services import organisations as organisations_services
from grants.services.organisations import organisation_update
from workflows.permissions import require


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = organisations_services.organisation_create(
            actor=request.user, **form.cleaned_data
        )
        messages.success(
            request,
            _("The profile of %(org)s is ready. You are its administrator.")
            % {"org": organisation.legal_name},
        )
        return redirect(_next_url(request))
    return render(
        request,
        "accounts/organisation_form.html",
        {"form": form, "organisation": None, "next": request.GET.get("next", "")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, organisation_id: int) -> HttpResponse:
    # A member sees it (404 for anyone else); its administrators change it (403 otherwise).
    organisation = organisation_for_member(request.user, organisation_id)
    require(
        policies.can_edit_organisation,
        user=request.user,
        organisation=organisation,
        message=_("Only an administrator of the organisation can change its profile."),
    )
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        # Read the values before the form's instance changes under the service's feet.
        fields = dict(form.cleaned_data)
        organisation = Organisation.objects.get(pk=organisation.pk)
        organisation_update(organisation=organisation, actor=request.user, **fields)
        messages.success(request, _("Profile saved."))
        return redirect("dashboard")
    return render(
        request, "accounts/organisation_form.html", {"form": form, "organisation": organisation}
    )
