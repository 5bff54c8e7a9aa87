"""A grantee's report as the manager reviews it (open, approve, request changes, its
attachments), the exchange rates of a programme, and a grant's reporting schedule."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grants import policies
from grants.forms.grants import (
    CommentForm,
    ExchangeRateForm,
    ReportChangesForm,
    ReportScheduleForm,
)
from grants.models import (
    ExchangeRate,
    Grant,
    Report,
)
from grants.selectors.grants import (
    grant_for_staff,
)
from grants.selectors.programmes import programme_for_staff
from grants.selectors.reports import attachment_of, financial_statement, report_for_staff, report_of
from grants.services import reports as reports_services
from grants.services.reports import RESCHEDULABLE, exchange_rate_set, report_add_interim
from grants.uploads import upload_response
from grants.views.manage.grants import _history
from workflows.exceptions import NotPermitted, TransitionConflict
from workflows.permissions import require
from workflows.refusals import refusal_as_message, refusal_on_form
from workflows.services import available_transitions


def _render_report(request: HttpRequest, report: Report, **forms) -> HttpResponse:
    grant = report.grant
    user = request.user
    available = set(available_transitions(report, user))
    questions = list(grant.programme.report_questions or [])
    extra = [q for q in report.narrative if q not in questions]
    narrative = [
        {"question": q, "answer": report.narrative.get(q, "")} for q in [*questions, *extra]
    ]
    attachments = list(report.attachments.all())
    is_grantee = policies.is_member(user=user, organisation_id=grant.organisation_id)
    return render(
        request,
        "grants_manage/report_detail.html",
        {
            "report": report,
            "grant": grant,
            "programme": grant.programme,
            "narrative": narrative,
            "statement": financial_statement(report)
            if report.state != Report.State.SCHEDULED
            else None,
            "indicator_values": report.indicator_values.select_related("indicator"),
            "attachments": attachments,
            "comments": report.comments.select_related("author"),
            "history": _history(report),
            "can_open": "open" in available,
            "can_decide": report.state == Report.State.SUBMITTED
            and policies.can_decide_report(user=user, report=report),
            "own_organisation": is_grantee and report.state == Report.State.SUBMITTED,
            "approve_form": forms.get("approve_form") or CommentForm(auto_id="approve_%s"),
            "changes_form": forms.get("changes_form") or ReportChangesForm(auto_id="changes_%s"),
        },
        status=400 if forms else 200,
    )


@login_required
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = report_for_staff(request.user, report_id)
    return _render_report(request, report)


@login_required
def report_attachment(request: HttpRequest, report_id: int, attachment_id: int) -> HttpResponse:
    """The staff's copy of a receipt or photo. (The grantee's download is for its members.)
    Stored under a generated name, never on a public URL; streamed after the access check."""
    report = report_for_staff(request.user, report_id)
    attachment = attachment_of(report, attachment_id)
    return upload_response(attachment)


@login_required
@require_POST
def report_open(request: HttpRequest, report_id: int) -> HttpResponse:
    report = report_for_staff(request.user, report_id)
    require(
        policies.is_programme_manager, user=request.user, programme_id=report.grant.programme_id
    )
    with refusal_as_message(request, TransitionConflict, NotPermitted):
        reports_services.report_open(report=report, actor=request.user)
        messages.success(request, _("The report is open: the grantee can write it now."))
    return redirect("manage-report", report_id=report.pk)


@login_required
@require_POST
def report_approve(request: HttpRequest, report_id: int) -> HttpResponse:
    report = report_for_staff(request.user, report_id)
    require(
        policies.is_programme_manager, user=request.user, programme_id=report.grant.programme_id
    )
    form = CommentForm(request.POST, auto_id="approve_%s")
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    with refusal_as_message(request, TransitionConflict, NotPermitted):
        reports_services.report_approve(report=report, actor=request.user, comment=comment)
        messages.success(
            request, _("Report approved. Tranches waiting on it are now due for payment.")
        )
    return redirect("manage-report", report_id=report.pk)


@login_required
@require_POST
def report_request_changes(request: HttpRequest, report_id: int) -> HttpResponse:
    report = report_for_staff(request.user, report_id)
    require(
        policies.is_programme_manager, user=request.user, programme_id=report.grant.programme_id
    )
    form = ReportChangesForm(request.POST, auto_id="changes_%s")
    if form.is_valid():
        with (
            refusal_as_message(request, TransitionConflict, NotPermitted) as refused,
            refusal_on_form(form),
        ):
            reports_services.report_request_changes(
                report=report, actor=request.user, comments=form.comments()
            )
            messages.success(request, _("Changes requested; the grantee sees your comments."))
            return redirect("manage-report", report_id=report.pk)
        if refused:
            return redirect("manage-report", report_id=report.pk)
    return _render_report(request, report, changes_form=form)


@login_required
def exchange_rates(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_for_staff(request.user, programme_id)
    i_manage = policies.is_programme_manager(user=request.user, programme_id=programme.pk)
    form = ExchangeRateForm(request.POST if request.method == "POST" else None, auto_id="rate_%s")
    if request.method == "POST":
        require(policies.can_manage_programme, user=request.user, programme=programme)
        if form.is_valid():
            with refusal_on_form(form):
                rate = exchange_rate_set(
                    programme=programme, actor=request.user, **form.cleaned_data
                )
                messages.success(
                    request,
                    _("Rate for %(c)s in %(m)s saved.")
                    % {"c": rate.currency, "m": f"{rate.month:%Y-%m}"},
                )
                return redirect("manage-exchange-rates", programme_id=programme.pk)
    return render(
        request,
        "grants_manage/exchange_rates.html",
        {
            "programme": programme,
            "rates": ExchangeRate.objects.filter(programme=programme),
            "form": form,
            "i_manage": i_manage,
        },
        status=400 if form.errors else 200,
    )


def _render_schedule(
    request: HttpRequest,
    grant: Grant,
    *,
    add_form: ReportScheduleForm | None = None,
    failed: tuple[int, ReportScheduleForm] | None = None,
) -> HttpResponse:
    """The grant's reports with a form per report that can still move, and one to add an
    interim report. `failed`: the report whose form came back with errors."""
    i_manage = policies.can_manage_grant(user=request.user, grant=grant)
    awaited = set(
        grant.tranches.filter(trigger_report__isnull=False).values_list(
            "trigger_report_id", flat=True
        )
    )
    schedule = list(grant.reports.all())
    for report in schedule:
        report.can_reschedule = i_manage and report.state in RESCHEDULABLE
        report.can_remove = (
            i_manage
            and report.kind == Report.Kind.INTERIM
            and report.state == Report.State.SCHEDULED
            and report.pk not in awaited
        )
        report.awaited = report.pk in awaited
        if failed and failed[0] == report.pk:
            report.schedule_form = failed[1]
        elif report.can_reschedule:
            report.schedule_form = ReportScheduleForm(
                auto_id=f"report{report.pk}_%s",
                initial={
                    "period_start": report.period_start,
                    "period_end": report.period_end,
                    "due_date": report.due_date,
                },
            )
    return render(
        request,
        "grants_manage/grant_schedule.html",
        {
            "grant": grant,
            "programme": grant.programme,
            "schedule": schedule,
            "i_manage": i_manage,
            "add_form": add_form or ReportScheduleForm(auto_id="add_%s"),
        },
        status=400 if add_form or failed else 200,
    )


@login_required
def grant_schedule(request: HttpRequest, grant_id: int) -> HttpResponse:
    """GET: the schedule. POST: add an interim report."""
    grant = grant_for_staff(request.user, grant_id)
    if request.method != "POST":
        return _render_schedule(request, grant)
    require(policies.is_programme_manager, user=request.user, programme_id=grant.programme_id)
    form = ReportScheduleForm(request.POST, auto_id="add_%s")
    if form.is_valid():
        with refusal_as_message(request, TransitionConflict) as refused, refusal_on_form(form):
            report = report_add_interim(grant=grant, actor=request.user, **form.cleaned_data)
            messages.success(
                request, _("Interim report %(n)s added to the schedule.") % {"n": report.number}
            )
            return redirect("manage-grant-schedule", grant_id=grant.pk)
        if refused:
            return redirect("manage-grant-schedule", grant_id=grant.pk)
    return _render_schedule(request, grant, add_form=form)


@login_required
@require_POST
def report_reschedule(request: HttpRequest, grant_id: int, report_id: int) -> HttpResponse:
    grant = grant_for_staff(request.user, grant_id)
    report = report_of(grant, report_id)
    require(policies.is_programme_manager, user=request.user, programme_id=grant.programme_id)
    form = ReportScheduleForm(request.POST, auto_id=f"report{report.pk}_%s")
    if form.is_valid():
        with refusal_as_message(request, TransitionConflict) as refused, refusal_on_form(form):
            report = reports_services.report_reschedule(
                report=report, actor=request.user, **form.cleaned_data
            )
            messages.success(
                request,
                _("%(kind)s %(n)s rescheduled.")
                % {"kind": report.get_kind_display(), "n": report.number},
            )
            return redirect("manage-grant-schedule", grant_id=grant.pk)
        if refused:
            return redirect("manage-grant-schedule", grant_id=grant.pk)
    return _render_schedule(request, grant, failed=(report.pk, form))


@login_required
@require_POST
def report_remove(request: HttpRequest, grant_id: int, report_id: int) -> HttpResponse:
    grant = grant_for_staff(request.user, grant_id)
    report = report_of(grant, report_id)
    require(policies.is_programme_manager, user=request.user, programme_id=grant.programme_id)
    with refusal_as_message(request, TransitionConflict):
        reports_services.report_remove(report=report, actor=request.user)
        messages.success(request, _("The report is removed from the schedule."))
    return redirect("manage-grant-schedule", grant_id=grant.pk)
