"""Log in, register, a person's own settings, and the organisation profile an applicant keeps."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import services as account_services
from accounts.forms import OrganisationForm, RegistrationForm, UserSettingsForm
from accounts.models import User
from grants import policies
from grants.models import Organisation
from grants.selectors.organisations import organisations_of
from grants.services import organisations as organisations_services
from grants.services.organisations import organisation_update


def _get_organisation_for_admin(request: HttpRequest, organisation_id: int) -> Organisation:
    """The organisation if the user is a member (404 otherwise) and may edit it (403)."""
    try:
        organisation = organisations_of(request.user).get(pk=organisation_id)
    except Organisation.DoesNotExist:
        raise Http404 from None
    if not policies.can_edit_organisation(request.user, organisation):
        raise PermissionDenied(
            _("Only an administrator of the organisation can change its profile.")
        )
    return organisation


def _next_url(request: HttpRequest, default: str = "dashboard") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _("Welcome, %(name)s. Start by creating your organisation's profile.")
            % {"name": user.display_name},
        )
        return redirect(_next_url(request))
    return render(
        request, "accounts/register.html", {"form": form, "next": request.GET.get("next", "")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_settings(request: HttpRequest) -> HttpResponse:
    """The logged-in person's own settings: no id in the URL, so nobody else's can be reached."""
    # A copy for the form: an invalid POST must not change request.user (the header shows it).
    form = UserSettingsForm(request.POST or None, instance=User.objects.get(pk=request.user.pk))
    if request.method == "POST" and form.is_valid():
        user = account_services.user_settings_update(user=request.user, **form.cleaned_data)
        # The new language from this answer on: the message below, and (through the cookie
        # LocaleMiddleware reads) every page after it.
        translation.activate(user.language)
        messages.success(request, _("Your settings are saved."))
        response = redirect("user-settings")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response
    return render(request, "accounts/settings.html", {"form": form})


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
    organisation = _get_organisation_for_admin(request, organisation_id)
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
