"""The programme manager's pages for applications: the list of a call, and screening.

Staff see submitted applications only, and only in the programmes they staff (manager,
approver, donor observer); anything else is 404. Only managers act (403 otherwise), and the
services check it again.
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, DecimalField, F, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications import policies
from applications.forms.screening import (
    ApplicationFilterForm,
    ClarificationForm,
    EligibleForm,
    IneligibleForm,
)
from applications.models import Application, budget_totals
from applications.rules import eligibility_checks
from applications.selectors.applications import (
    application_history,
    application_with_content_for_staff,
    applications_visible_to,
    with_budget_totals,
)
from applications.selectors.review import call_for_staff
from applications.services import screening as screening_services
from applications.services.screening import application_request_clarification
from grants import policies as grant_policies
from grants.models import Call, CallQuestion
from grants.templatetags.money import in_zone
from workflows.exceptions import TransitionConflict
from workflows.exports import csv_cell
from workflows.permissions import require
from workflows.refusals import refusal_as_message, refusal_on_form
from workflows.selectors import with_state_labels
from workflows.services import available_transitions

# The list of a call --------------------------------------------------------------------

MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)
SORTS = {
    "reference": ("reference",),
    "organisation": ("organisation__legal_name", "reference"),
    "country": ("organisation__country", "reference"),
    "title": ("title", "reference"),
    "requested": ("total_requested", "reference"),
    "cofinancing": ("cofinancing_ratio", "reference"),
    "submitted": ("submitted_at", "reference"),
    "state": ("state", "reference"),
}
COLUMNS = [
    ("reference", _("Reference")),
    ("organisation", _("Organisation")),
    ("country", _("Country")),
    ("title", _("Project")),
    ("requested", _("Requested")),
    ("cofinancing", _("Co-financing")),
    ("submitted", _("Submitted")),
    ("state", _("State")),
]


def _with_totals(queryset: QuerySet[Application]) -> QuerySet[Application]:
    """Budget totals and partner count (subqueries, one query for the list), and the
    co-financing ratio to sort on."""
    zero = Value(Decimal("0"), output_field=MONEY_FIELD)
    return with_budget_totals(queryset).annotate(
        cofinancing_ratio=Case(
            When(Q(total_requested=0) & Q(total_own=0), then=zero),
            default=F("total_own") * 100 / (F("total_requested") + F("total_own")),
            output_field=DecimalField(max_digits=20, decimal_places=6),
        )
    )


def _cofinancing_percent(application: Application) -> Decimal:
    total = application.total_requested + application.total_own
    if not total:
        return Decimal("0.00")
    return (application.total_own * 100 / total).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _filtered_applications(user, call: Call, params) -> tuple[list[Application], dict]:
    form = ApplicationFilterForm(params)
    form.is_valid()  # an invalid filter is ignored; the valid ones still apply
    filters = form.cleaned_data
    sort = params.get("sort") or "submitted"
    if sort.lstrip("-") not in SORTS:
        sort = "submitted"
    order = SORTS[sort.lstrip("-")]
    if sort.startswith("-"):
        order = tuple(f"-{name}" for name in order)
    # The selector scopes to what this user may see; the call is already the user's.
    queryset = (
        applications_visible_to(user).filter(call=call).exclude(state=Application.State.DRAFT)
    )
    if filters.get("state"):
        queryset = queryset.filter(state=filters["state"])
    if filters.get("country"):
        queryset = queryset.filter(organisation__country=filters["country"])
    applications = list(_with_totals(queryset).order_by(*order))
    cents = Decimal("0.01")
    for application in applications:
        # SQLite returns sums without their scale; show every amount with two decimals.
        application.total_requested = Decimal(application.total_requested).quantize(cents)
        application.total_own = Decimal(application.total_own).quantize(cents)
        application.cofinancing_percent = _cofinancing_percent(application)
    return applications, {"form": form, "sort": sort, "filters": filters}


@login_required
def application_list(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_for_staff(request.user, call_id)
    applications, listing = _filtered_applications(request.user, call, request.GET)
    query = request.GET.copy()
    query.pop("sort", None)
    columns = []
    for key, label in COLUMNS:
        current = listing["sort"].lstrip("-") == key
        descending = listing["sort"].startswith("-")
        query["sort"] = f"-{key}" if current and not descending else key
        columns.append(
            {
                "key": key,
                "label": label,
                "href": f"?{query.urlencode()}",
                "aria_sort": ("descending" if descending else "ascending") if current else "",
                "numeric": key in ("requested", "cofinancing"),
            }
        )
    export_query = request.GET.copy()
    return render(
        request,
        "manage/application_list.html",
        {
            "call": call,
            "programme": call.programme,
            "applications": applications,
            "columns": columns,
            "export_query": export_query.urlencode(),
            **listing,
        },
    )


@login_required
def application_export(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_for_staff(request.user, call_id)
    applications, _listing = _filtered_applications(request.user, call, request.GET)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{call.reference_prefix or f'call-{call.pk}'}-applications.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so spreadsheet programs read UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Reference"),
            _("Organisation"),
            _("Country"),
            _("Organisation type"),
            _("Project"),
            _("Requested"),
            _("Own contribution"),
            _("Currency"),
            _("Co-financing %"),
            _("Partners"),
            _("Submitted (UTC)"),
            _("State"),
        ]
    )
    for a in applications:
        writer.writerow(
            [
                csv_cell(value)
                for value in (
                    a.reference,
                    a.organisation.legal_name,
                    a.organisation.country,
                    a.organisation.get_org_type_display(),
                    a.title,
                    a.total_requested,
                    a.total_own,
                    call.currency,
                    a.cofinancing_percent,
                    a.partner_count,
                    a.submitted_at.strftime("%Y-%m-%dT%H:%M:%SZ") if a.submitted_at else "",
                    a.get_state_display(),
                )
            ]
        )
    return response


# Screening ---------------------------------------------------------------------------

SCREENING_ACTIONS = ("mark_eligible", "mark_ineligible", "request_clarification")


def _render_application(request: HttpRequest, application: Application, **forms) -> HttpResponse:
    call = application.call
    i_manage = grant_policies.is_programme_manager(
        user=request.user, programme_id=call.programme_id
    )
    actions = (
        set(available_transitions(application, request.user)) & set(SCREENING_ACTIONS)
        if i_manage
        else set()
    )
    answers = {answer.question_id: answer.value for answer in application.answers.all()}
    attachments = list(application.attachments.all())
    questions = [
        {
            "question": question,
            "answer": answers.get(question.pk, ""),
            "files": [a for a in attachments if a.question_id == question.pk],
            "is_file": question.kind == CallQuestion.Kind.FILE,
        }
        for question in call.questions.all()
    ]
    checks = eligibility_checks(application)
    return render(
        request,
        "manage/application_detail.html",
        {
            "application": application,
            "call": call,
            "programme": call.programme,
            "currency": call.currency,
            "questions": questions,
            "other_attachments": [a for a in attachments if a.question_id is None],
            "budget_lines": application.budget_lines.all(),
            "totals": budget_totals(application.budget_lines.all()),
            "partners": application.partners.all(),
            "checks": checks,
            "checks_failed": sum(1 for check in checks if not check.passed),
            "clarifications": application.clarifications.select_related("asked_by", "answered_by"),
            "history": _history(application),
            "i_manage": i_manage,
            "actions": actions,
            "eligible_form": forms.get("eligible_form") or EligibleForm(auto_id="eligible_%s"),
            "ineligible_form": forms.get("ineligible_form")
            or IneligibleForm(auto_id="ineligible_%s"),
            "clarification_form": forms.get("clarification_form")
            or ClarificationForm(zone=call.timezone, auto_id="clarification_%s"),
        },
        status=400 if forms else 200,
    )


def _history(application: Application) -> list:
    return with_state_labels(application_history(application))


@login_required
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    application = application_with_content_for_staff(request.user, application_id)
    return _render_application(request, application)


@login_required
@require_POST
def application_screen(request: HttpRequest, application_id: int) -> HttpResponse:
    application = application_with_content_for_staff(request.user, application_id)
    require(policies.can_manage_application, user=request.user, application=application)
    eligible = request.POST.get("decision") == "eligible"
    form_class, prefix = (EligibleForm, "eligible") if eligible else (IneligibleForm, "ineligible")
    form = form_class(request.POST, auto_id=f"{prefix}_%s")
    if form.is_valid():
        with refusal_as_message(request, TransitionConflict) as refused, refusal_on_form(form):
            screening_services.application_screen(
                application=application,
                actor=request.user,
                eligible=eligible,
                reason=form.cleaned_data["reason"],
            )
            messages.success(
                request,
                _("%(ref)s is marked eligible.") % {"ref": application.reference}
                if eligible
                else _("%(ref)s is marked ineligible.") % {"ref": application.reference},
            )
            return redirect("manage-application", application_id=application.pk)
        if refused:
            return redirect("manage-application", application_id=application.pk)
    return _render_application(request, application, **{f"{prefix}_form": form})


@login_required
@require_POST
def application_clarify(request: HttpRequest, application_id: int) -> HttpResponse:
    application = application_with_content_for_staff(request.user, application_id)
    require(policies.can_manage_application, user=request.user, application=application)
    form = ClarificationForm(
        request.POST, zone=application.call.timezone, auto_id="clarification_%s"
    )
    if form.is_valid():
        with refusal_as_message(request, TransitionConflict) as refused, refusal_on_form(form):
            clarification = application_request_clarification(
                application=application, actor=request.user, **form.cleaned_data
            )
            messages.success(
                request,
                _("Clarification requested; the applicant must answer by %(due)s.")
                % {"due": in_zone(clarification.response_due_at, application.call.timezone)},
            )
            return redirect("manage-application", application_id=application.pk)
        if refused:
            return redirect("manage-application", application_id=application.pk)
    return _render_application(request, application, clarification_form=form)
