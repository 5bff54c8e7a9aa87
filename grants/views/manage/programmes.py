"""The programme manager's home and programme pages. Every view fetches the object for this user
with a selector — staff of its programme — which 404s otherwise; reading is for all staff,
changing for managers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from grants import policies
from grants.countries import COUNTRIES
from grants.forms.programmes import ProgrammeForm, ProgrammeRemindersForm
from grants.models import OrganisationType, ProgrammeRole
from grants.selectors.calls import attach_application_counts
from grants.selectors.grants import incoming_grants_administered_by
from grants.selectors.organisations import organisations_administered_by
from grants.selectors.programmes import programme_for_staff, programmes_staffed_with_calls
from grants.services import programmes as programmes_services
from grants.services.programmes import programme_update
from workflows import offsets
from workflows.permissions import require
from workflows.refusals import refusal_on_form


def _reminder_rows(kinds, *, programme, call=None) -> list[dict]:
    """When each kind of deadline reminder goes, and where that setting comes from."""
    rows = []
    for kind in kinds:
        if call is not None and (call.reminder_offsets or {}).get(kind):
            source = _("set for this call")
        elif (programme.reminder_offsets or {}).get(kind):
            source = _("set for the programme")
        else:
            source = _("default")
        rows.append(
            {
                "label": offsets.LABELS[kind],
                "offsets": offsets.format_offsets(
                    offsets.effective(kind, programme=programme, call=call)
                ),
                "source": source,
            }
        )
    return rows


@login_required
def manage_home(request: HttpRequest) -> HttpResponse:
    roles = policies.roles_of(request.user)
    programmes = list(programmes_staffed_with_calls(request.user))
    role_labels = dict(ProgrammeRole.Role.choices)
    for programme in programmes:
        programme.call_list = list(programme.calls.all())
        programme.my_roles = [
            role_labels[r]
            for r in ProgrammeRole.Role.values
            if r in roles.programme_roles[programme.pk]
        ]
        programme.i_manage = policies.is_programme_manager(
            user=request.user, programme_id=programme.pk
        )
    attach_application_counts([call for programme in programmes for call in programme.call_list])
    return render(
        request,
        "manage/home.html",
        {
            "programmes": programmes,
            "can_create_programme": policies.can_create_programme(user=request.user),
            "incoming_grants": list(incoming_grants_administered_by(request.user)),
        },
    )


@login_required
def programme_create(request: HttpRequest) -> HttpResponse:
    require(
        policies.can_create_programme,
        user=request.user,
        message=_("Only an administrator of an organisation can start a programme."),
    )
    form = ProgrammeForm(
        request.POST if request.method == "POST" else None,
        organisations=organisations_administered_by(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        owner, donors = data.pop("owner"), data.pop("donors")
        with refusal_on_form(form):
            programme = programmes_services.programme_create(
                actor=request.user, owner=owner, donors=donors, **data
            )
            messages.success(request, _("Programme created. You are its manager."))
            return redirect("manage-programme", programme_id=programme.pk)
    return render(request, "manage/programme_form.html", {"form": form})


@login_required
def programme_detail(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_for_staff(request.user, programme_id)
    calls = list(programme.calls.order_by("-opens_at", "title"))
    attach_application_counts(calls)
    staff = (
        ProgrammeRole.objects.filter(programme=programme)
        .select_related("user")
        .order_by("role", "user__email")
    )
    return render(
        request,
        "manage/programme_detail.html",
        {
            "programme": programme,
            "calls": calls,
            "staff": staff,
            "donors": programme.donors.all(),
            "i_manage": policies.is_programme_manager(user=request.user, programme_id=programme.pk),
            "reminders": _reminder_rows(offsets.PROGRAMME_KINDS, programme=programme),
        },
    )


@login_required
def programme_reminders(request: HttpRequest, programme_id: int) -> HttpResponse:
    """When the programme's deadline reminders go; its calls may change the call kinds."""
    programme = programme_for_staff(request.user, programme_id)
    require(policies.can_manage_programme, user=request.user, programme=programme)
    form = ProgrammeRemindersForm(
        request.POST if request.method == "POST" else None, programme=programme
    )
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            programme_update(
                programme=programme,
                actor=request.user,
                reminder_offsets=form.cleaned_data["reminder_offsets"],
            )
            messages.success(request, _("The reminders were saved."))
            return redirect("manage-programme", programme_id=programme.pk)
    return render(
        request, "manage/programme_reminders.html", {"form": form, "programme": programme}
    )


COUNTRY_NAMES = dict(COUNTRIES)


ORG_TYPE_NAMES = dict(OrganisationType.choices)


CALL_TRANSITION_STYLE = {"cancel": "danger", "close": "secondary"}
