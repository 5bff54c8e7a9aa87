"""The programme manager's pages for grants after the award: the portfolio of a programme,
a grant with its tranches, reports, amendments and monitoring visits, the review of a report,
exchange rates, the donor's consolidated report and the incoming grant that funds it all.

Every view starts with one selector that fetches the object for this user — staff of its
programme (manager, approver or donor observer) — and 404s otherwise. All staff read; who may
act is the policy's call (managers; approvers also approve and pay tranches); others get 403,
and the services check it again. What a service refuses on the merits (wrong state, the maker
approving, a payment above the grant) comes back as a message.
"""

from __future__ import annotations

import csv
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grants import policies
from grants.forms.grants import (
    AmendmentDecideForm,
    CommentForm,
    DonorExportForm,
    ExchangeRateForm,
    FollowUpCloseForm,
    GrantTransitionForm,
    IncomingGrantForm,
    PortfolioFilterForm,
    ReportChangesForm,
    ReportScheduleForm,
    TranchePayForm,
    VisitForm,
    default_period,
    incoming_grant_initial,
)
from grants.models import (
    Amendment,
    BudgetCategory,
    ExchangeRate,
    FollowUpAction,
    Grant,
    Programme,
    Report,
    Tranche,
)
from grants.selectors import cascade as cascade_selectors
from grants.selectors.cascade import (
    as_money,
    cofinancing_percent,
    donor_export_csv,
    donor_export_xlsx,
    incoming_grant_summary,
    public_grants,
    subgrant_within_donor_rules,
)
from grants.selectors.grants import (
    amendment_for_staff,
    follow_up_action_for_staff,
    grant_for_staff,
    incoming_grant_for_member,
    incoming_grant_for_staff,
    tranche_for_staff,
)
from grants.selectors.organisations import organisations_administered_by
from grants.selectors.programmes import programme_for_staff, staffed_programme_ids
from grants.selectors.reports import attachment_of, financial_statement, report_for_staff, report_of
from grants.services import amendments as amendments_services
from grants.services import grants as grants_services
from grants.services import reports as reports_services
from grants.services import visits as visits_services
from grants.services.grants import (
    GRANT_TRANSITIONS,
    GRANT_TRANSITIONS_WITH_REASON,
    grant_change_state,
    grant_summary_update,
    incoming_grant_update,
)
from grants.services.reports import RESCHEDULABLE, exchange_rate_set, report_add_interim
from grants.services.visits import visit_record
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.exports import csv_cell
from workflows.models import TransitionLog
from workflows.permissions import require
from workflows.refusals import refusal_as_message, refusal_on_form
from workflows.services import available_transitions


def _grant_redirect(grant_id: int, anchor: str = "") -> HttpResponse:
    url = reverse("manage-grant", args=[grant_id])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _subject_label(obj) -> str:
    if isinstance(obj, Tranche):
        return _("Tranche %(n)s") % {"n": obj.number}
    if isinstance(obj, Report):
        return f"{obj.get_kind_display()} {obj.number}"
    if isinstance(obj, Amendment):
        return _("Amendment: %(kind)s") % {"kind": obj.get_kind_display()}
    return _("Grant")


def _history(*objects) -> list[TransitionLog]:
    """The transition log of several objects, oldest first, with readable states."""
    entries = []
    for obj in objects:
        labels = dict(type(obj).State.choices)
        for entry in TransitionLog.objects.for_object(obj):
            entry.subject_label = _subject_label(obj)
            entry.from_label = labels.get(entry.from_state, entry.from_state)
            entry.to_label = labels.get(entry.to_state, entry.to_state)
            entries.append(entry)
    return sorted(entries, key=lambda e: (e.created_at, e.pk))


# The portfolio -------------------------------------------------------------------------


def _portfolio_rows(request: HttpRequest, programme: Programme) -> tuple[list[Grant], dict]:
    form = PortfolioFilterForm(request.GET)
    form.is_valid()  # an invalid filter is ignored; the valid ones still apply
    grants = list(
        cascade_selectors.portfolio(
            programme,
            viewer=request.user,
            state=form.cleaned_data.get("state") or None,
            overdue_only=bool(form.cleaned_data.get("overdue")),
        )
    )
    for grant in grants:
        grant.paid = as_money(grant.paid)
        grant.cofinancing = cofinancing_percent(grant)
        grant.donor_rule_violations = subgrant_within_donor_rules(
            programme, grant.amount, grant.cofinancing
        )
    return grants, {"form": form}


@login_required
def portfolio(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_for_staff(request.user, programme_id)
    grants, listing = _portfolio_rows(request, programme)
    committed = sum((g.amount for g in grants), Decimal(0))
    paid = sum((g.paid for g in grants), Decimal(0))
    return render(
        request,
        "grants_manage/portfolio.html",
        {
            "programme": programme,
            "grants": grants,
            "committed": committed,
            "paid": paid,
            "unpaid": committed - paid,
            "overdue_total": sum(g.overdue_reports for g in grants),
            "export_query": request.GET.urlencode(),
            "i_manage": policies.is_programme_manager(user=request.user, programme_id=programme.pk),
            **listing,
        },
    )


@login_required
def portfolio_export(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_for_staff(request.user, programme_id)
    grants, _listing = _portfolio_rows(request, programme)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="programme-{programme.pk}-grants.csv"'
    response.write("\ufeff")  # so spreadsheet programs read UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Reference"),
            _("Recipient"),
            _("Country"),
            _("Project"),
            _("State"),
            _("Amount"),
            _("Paid"),
            _("Currency"),
            _("Next report due"),
            _("Overdue reports"),
            _("Donor rules"),
        ]
    )
    for g in grants:
        writer.writerow(
            [
                csv_cell(v)
                for v in (
                    g.reference,
                    g.organisation.legal_name,
                    g.organisation.country,
                    g.title,
                    g.get_state_display(),
                    g.amount,
                    g.paid,
                    g.currency,
                    g.next_deadline.isoformat() if g.next_deadline else "",
                    g.overdue_reports,
                    " ".join(g.donor_rule_violations),
                )
            ]
        )
    return response


# A grant -------------------------------------------------------------------------------

CATEGORY_LABELS = dict(BudgetCategory.choices)


def _attach_tranche_actions(tranches: list[Tranche], user, grant: Grant) -> None:
    finance = policies.can_finance_grant(user=user, grant=grant)
    manager = policies.can_manage_grant(user=user, grant=grant)
    for tranche in tranches:
        tranche.can_make_due = (
            manager
            and tranche.state == Tranche.State.PLANNED
            and tranche.trigger == Tranche.Trigger.MANUAL
        )
        tranche.can_approve = (
            finance and tranche.state == Tranche.State.DUE and tranche.made_due_by_id != user.pk
        )
        tranche.maker_waits = (
            finance and tranche.state == Tranche.State.DUE and tranche.made_due_by_id == user.pk
        )
        tranche.can_pay = finance and tranche.state == Tranche.State.APPROVED


def _amendment_rows(grant: Grant, amendments: list[Amendment]) -> None:
    """What each amendment asks, and what the grant had before an approved one."""
    lines = {str(line.pk): line for line in grant.budget_lines.all()}
    for amendment in amendments:
        changes, previous = amendment.changes or {}, amendment.previous or {}
        rows = []
        if amendment.kind == Amendment.Kind.BUDGET:
            old = previous.get("lines", {})
            for line_id, amount in (changes.get("lines") or {}).items():
                line = lines.get(str(line_id))
                rows.append(
                    {
                        "label": line.description if line else line_id,
                        "new": amount,
                        "old": old.get(str(line_id)),
                    }
                )
        elif amendment.kind == Amendment.Kind.EXTENSION:
            rows.append(
                {
                    "label": _("End date"),
                    "new": changes.get("end_date"),
                    "old": previous.get("end_date"),
                }
            )
        else:
            rows.append({"label": _("Activities"), "new": changes.get("description"), "old": None})
        amendment.rows = rows


def _render_grant(request: HttpRequest, grant: Grant, **forms) -> HttpResponse:
    programme = grant.programme
    user = request.user
    i_manage = policies.can_manage_grant(user=user, grant=grant)
    tranches = list(grant.tranches.select_related("made_due_by", "approved_by", "paid_by"))
    _attach_tranche_actions(tranches, user, grant)
    grant_reports = list(grant.reports.all())
    amendments = list(grant.amendments.select_related("requested_by", "decided_by"))
    _amendment_rows(grant, amendments)
    visits = list(
        grant.visits.select_related("created_by").prefetch_related(
            Prefetch("actions", queryset=FollowUpAction.objects.select_related("closed_by"))
        )
    )
    budget_lines = list(grant.budget_lines.all())  # GrantBudgetLine.category_label names them
    paid = sum((t.paid_amount or 0 for t in tranches if t.state == Tranche.State.PAID), 0)
    cofinancing = cofinancing_percent(grant)
    return render(
        request,
        "grants_manage/grant_detail.html",
        {
            "grant": grant,
            "programme": programme,
            "currency": grant.currency,
            "budget_lines": budget_lines,
            "tranches": tranches,
            "paid": as_money(paid),
            "reports": grant_reports,
            "today": timezone.localdate(),
            "amendments": amendments,
            "visits": visits,
            "history": _history(grant, *tranches, *grant_reports, *amendments),
            "cofinancing": cofinancing,
            "donor_rule_violations": subgrant_within_donor_rules(
                programme, grant.amount, cofinancing
            ),
            "i_manage": i_manage,
            "lifecycle_actions": _grant_actions(grant, user) if i_manage else [],
            "lifecycle_form": GrantTransitionForm(auto_id="lifecycle_%s"),
            "can_finance": policies.can_finance_grant(user=user, grant=grant),
            "pay_form": forms.get("pay_form") or TranchePayForm(auto_id="pay_%s"),
            "pay_tranche_id": forms.get("pay_tranche_id"),
            "amendment_form": forms.get("amendment_form")
            or AmendmentDecideForm(auto_id="amendment_%s"),
            "amendment_id": forms.get("amendment_id"),
            "visit_form": forms.get("visit_form") or VisitForm(auto_id="visit_%s"),
            "close_form": FollowUpCloseForm(auto_id=False),
        },
        status=400 if forms else 200,
    )


@login_required
def grant_detail(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = grant_for_staff(request.user, grant_id)
    return _render_grant(request, grant)


# Buttons in the grant's own order; the ones that end its normal life are set apart.
GRANT_TRANSITION_STYLE = {"suspend": "secondary", "terminate": "danger"}


def _grant_actions(grant: Grant, user) -> list[dict]:
    """The lifecycle transitions this user may run on the grant now, with their labels."""
    available = set(available_transitions(grant, user))
    labels = {t.name: t.custom.get("label", t.name) for t in grant.get_all_state_transitions()}
    return [
        {
            "name": name,
            "label": labels.get(name, name),
            "needs_reason": name in GRANT_TRANSITIONS_WITH_REASON,
            "style": GRANT_TRANSITION_STYLE.get(name, ""),
        }
        for name in GRANT_TRANSITIONS
        if name in available
    ]


@login_required
@require_POST
def grant_transition(request: HttpRequest, grant_id: int, name: str) -> HttpResponse:
    grant = grant_for_staff(request.user, grant_id)
    if name not in GRANT_TRANSITIONS:
        raise Http404
    require(policies.is_programme_manager, user=request.user, programme_id=grant.programme_id)
    form = GrantTransitionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    with (
        refusal_as_message(request, TransitionConflict, NotPermitted),
        refusal_as_message(request, RuleViolation),
    ):
        grant = grant_change_state(grant=grant, actor=request.user, name=name, comment=comment)
        messages.success(
            request, _("The grant is now “%(state)s”.") % {"state": grant.get_state_display()}
        )
    return _grant_redirect(grant.pk, "lifecycle")


@login_required
@require_POST
def grant_summary(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = grant_for_staff(request.user, grant_id)
    require(policies.is_programme_manager, user=request.user, programme_id=grant.programme_id)
    with refusal_as_message(request, RuleViolation, NotPermitted):
        grant_summary_update(
            grant=grant, actor=request.user, summary=request.POST.get("summary", "")
        )
        messages.success(request, _("The public summary is saved."))
    return _grant_redirect(grant.pk, "summary")


@login_required
@require_POST
def tranche_make_due(request: HttpRequest, tranche_id: int) -> HttpResponse:
    tranche = tranche_for_staff(request.user, tranche_id)
    require(
        policies.is_programme_manager, user=request.user, programme_id=tranche.grant.programme_id
    )
    with refusal_as_message(request, TransitionConflict, NotPermitted):
        grants_services.tranche_make_due(tranche=tranche, actor=request.user)
        messages.success(
            request,
            _("Tranche %(n)s is due; someone else approves it for payment.")
            % {"n": tranche.number},
        )
    return _grant_redirect(tranche.grant_id, "tranches")


@login_required
@require_POST
def tranche_approve(request: HttpRequest, tranche_id: int) -> HttpResponse:
    tranche = tranche_for_staff(request.user, tranche_id)
    require(policies.can_finance_grant, user=request.user, grant=tranche.grant)
    with refusal_as_message(request, TransitionConflict, NotPermitted):
        grants_services.tranche_approve(tranche=tranche, actor=request.user)
        messages.success(
            request, _("Tranche %(n)s is approved for payment.") % {"n": tranche.number}
        )
    return _grant_redirect(tranche.grant_id, "tranches")


@login_required
@require_POST
def tranche_pay(request: HttpRequest, tranche_id: int) -> HttpResponse:
    tranche = tranche_for_staff(request.user, tranche_id)
    require(policies.can_finance_grant, user=request.user, grant=tranche.grant)
    form = TranchePayForm(request.POST, auto_id="pay_%s")
    if form.is_valid():
        with (
            refusal_as_message(request, TransitionConflict, NotPermitted) as refused,
            refusal_on_form(form),
        ):
            grants_services.tranche_pay(
                tranche=tranche,
                actor=request.user,
                paid_on=form.cleaned_data["paid_on"],
                amount=form.cleaned_data["amount"],
                reference=form.cleaned_data["reference"],
            )
            messages.success(
                request, _("Payment of tranche %(n)s recorded.") % {"n": tranche.number}
            )
            return _grant_redirect(tranche.grant_id, "tranches")
        if refused:
            return _grant_redirect(tranche.grant_id, "tranches")
    grant = grant_for_staff(request.user, tranche.grant_id)
    return _render_grant(request, grant, pay_form=form, pay_tranche_id=tranche.pk)


@login_required
@require_POST
def amendment_decide(request: HttpRequest, amendment_id: int) -> HttpResponse:
    amendment = amendment_for_staff(request.user, amendment_id)
    require(
        policies.is_programme_manager, user=request.user, programme_id=amendment.grant.programme_id
    )
    form = AmendmentDecideForm(request.POST, auto_id="amendment_%s")
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        with (
            refusal_as_message(request, TransitionConflict, NotPermitted) as refused,
            refusal_on_form(form),
        ):
            amendments_services.amendment_decide(
                amendment=amendment,
                actor=request.user,
                approve=approve,
                comment=form.cleaned_data["comment"],
            )
            messages.success(
                request,
                _("Amendment approved; the grant is updated.")
                if approve
                else _("Amendment rejected."),
            )
            return _grant_redirect(amendment.grant_id, "amendments")
        if refused:
            return _grant_redirect(amendment.grant_id, "amendments")
    grant = grant_for_staff(request.user, amendment.grant_id)
    return _render_grant(request, grant, amendment_form=form, amendment_id=amendment.pk)


@login_required
@require_POST
def visit_create(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = grant_for_staff(request.user, grant_id)
    require(policies.is_programme_manager, user=request.user, programme_id=grant.programme_id)
    form = VisitForm(request.POST, auto_id="visit_%s")
    if form.is_valid():
        with refusal_on_form(form):
            visit_record(
                grant=grant,
                actor=request.user,
                visited_on=form.cleaned_data["visited_on"],
                visitors=form.cleaned_data["visitors"],
                findings=form.cleaned_data["findings"],
                actions=form.actions(),
            )
            messages.success(request, _("Monitoring visit recorded."))
            return _grant_redirect(grant.pk, "visits")
    return _render_grant(request, grant, visit_form=form)


@login_required
@require_POST
def follow_up_close(request: HttpRequest, action_id: int) -> HttpResponse:
    action = follow_up_action_for_staff(request.user, action_id)
    grant = action.visit.grant
    require(policies.is_programme_manager, user=request.user, programme_id=grant.programme_id)
    form = FollowUpCloseForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    with refusal_as_message(request, TransitionConflict, NotPermitted):
        visits_services.follow_up_close(action=action, actor=request.user, note=note)
        messages.success(request, _("Follow-up action closed."))
    return _grant_redirect(grant.pk, "visits")


# A report ------------------------------------------------------------------------------


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
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


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


# Exchange rates ------------------------------------------------------------------------


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


# The donor's report and the incoming grant ---------------------------------------------


@login_required
def donor_report(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The form; with a valid period in the query string, the download."""
    programme = programme_for_staff(request.user, programme_id)
    form = DonorExportForm(request.GET or None, initial=default_period(programme))
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        name = f"programme-{programme.pk}-donor-report-{start:%Y%m%d}-{end:%Y%m%d}"
        if form.cleaned_data["format"] == "csv":
            body = donor_export_csv(programme, start, end, viewer=request.user)
            response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        else:
            body = donor_export_xlsx(programme, start, end, viewer=request.user)
            response = HttpResponse(
                body,
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    return render(
        request,
        "grants_manage/donor_report.html",
        {
            "programme": programme,
            "form": form,
            "open_data": public_grants(programme).exists(),
        },
        status=400 if form.is_bound else 200,
    )


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


# Incoming grants entered by hand: the organisation's administrators. --------------------


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


# The reporting schedule ----------------------------------------------------------------


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
