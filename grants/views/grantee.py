"""The grantee's pages after the award: my grants, the grant, the agreement and its signature,
the report editor (htmx autosave with a version), amendments and follow-up actions.

Every view starts with one selector that fetches the object for this user — a member of the
grantee organisation — and 404s otherwise (the agreement PDF also serves programme staff).
The writing is done by grants.services.grants and grants.services.reports.
"""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grants import policies
from grants.agreement import agreement_pdf, trigger_in_words
from grants.forms.common import posted_version
from grants.forms.grantee import (
    AmendmentForm,
    FollowUpCloseForm,
    ReportInput,
    SignedCopyForm,
    report_input_from_post,
)
from grants.models import (
    Amendment,
    FollowUpAction,
    Grant,
    Membership,
    MonitoringVisit,
    Report,
    ReportComment,
    Tranche,
)
from grants.selectors.grants import (
    follow_up_action_of,
    grant_for_member,
    grant_for_viewer,
    grants_for_member,
)
from grants.selectors.reports import attachment_of, financial_statement, rate_for, report_for_member
from grants.services.amendments import amendment_request
from grants.services.grants import grant_sign
from grants.services.reports import (
    EDITABLE,
    report_attachment_add,
    report_attachment_remove,
    report_save,
    report_submit,
)
from grants.services.visits import follow_up_close
from grants.uploads import ALLOWED, ALLOWED_DESCRIPTION, upload_response
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.refusals import refusal_as_message, refusal_on_form
from workflows.selectors import history_of

TO_WRITE = (Report.State.OPEN, Report.State.CHANGES_REQUESTED)
NOT_DONE = (Report.State.SCHEDULED, Report.State.OPEN, Report.State.CHANGES_REQUESTED)
# The local currency a grantee may report in, by the organisation's country.
LOCAL_CURRENCY = {"RS": "RSD", "BA": "BAM", "MK": "MKD", "AL": "ALL", "ME": "EUR", "XK": "EUR"}
# What the agreement PDF and its signed copy read of the grant, fetched with it.
AGREEMENT_READS = ("organisation", "programme__owner", "application__call")


# My grants ----------------------------------------------------------------------------------


def _summary(grant: Grant) -> dict:
    reports = sorted(grant.reports.all(), key=lambda r: (r.due_date, r.number))
    tranches = list(grant.tranches.all())
    return {
        "grant": grant,
        "next_report": next((r for r in reports if r.state in NOT_DONE), None),
        "to_write": [r for r in reports if r.state in TO_WRITE],
        "tranches": tranches,
        "paid": sum((t.paid_amount or Decimal(0) for t in tranches), Decimal(0)),
    }


@login_required
@require_GET
def grant_list(request: HttpRequest) -> HttpResponse:
    """The user's organisations' grants. A fixed number of queries, however many grants."""
    grants = (
        grants_for_member(request.user)
        .prefetch_related("reports", Prefetch("tranches", queryset=Tranche.objects.all()))
        .order_by("-created_at", "-pk")
    )
    return render(request, "grantee/grants.html", {"rows": [_summary(g) for g in grants]})


# The grant ----------------------------------------------------------------------------------


def _who(log, member_ids: set[int]) -> str:
    if log.actor_id is None:
        return _("Regrant (automatic)")
    if log.actor_id in member_ids:
        return log.actor.display_name
    return _("Programme team")


def _history(grant: Grant, reports: list[Report], tranches: list[Tranche]) -> list[dict]:
    """The grant's TransitionLog, with its reports' and tranches' steps, oldest first."""
    types = ContentType.objects.get_for_models(Grant, Report, Tranche)
    logs = history_of(
        grant, include={Report: [r.pk for r in reports], Tranche: [t.pk for t in tranches]}
    )
    names = {types[Grant].pk: {grant.pk: _("Grant")}}
    names[types[Report].pk] = {r.pk: f"{r.get_kind_display()} {r.number}" for r in reports}
    names[types[Tranche].pk] = {t.pk: _("Tranche %(n)s") % {"n": t.number} for t in tranches}
    states = {
        types[Grant].pk: dict(Grant.State.choices),
        types[Report].pk: dict(Report.State.choices),
        types[Tranche].pk: dict(Tranche.State.choices),
    }
    member_ids = set(
        Membership.objects.filter(organisation_id=grant.organisation_id).values_list(
            "user_id", flat=True
        )
    )
    return [
        {
            "when": log.created_at,
            "what": names[log.content_type_id].get(log.object_id, ""),
            "from": states[log.content_type_id].get(log.from_state, log.from_state),
            "to": states[log.content_type_id].get(log.to_state, log.to_state),
            "who": _who(log, member_ids),
            "comment": log.comment,
        }
        for log in logs
    ]


def _render_grant(
    request: HttpRequest,
    grant: Grant,
    *,
    amendment_form: AmendmentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    lines = list(grant.budget_lines.all())
    reports = list(grant.reports.all())
    tranches = list(grant.tranches.select_related("trigger_report"))
    visits = list(
        MonitoringVisit.objects.filter(grant=grant).prefetch_related(
            Prefetch("actions", queryset=FollowUpAction.objects.select_related("closed_by"))
        )
    )
    line_names = {str(line.pk): line.description for line in lines}
    amendments = [
        {"amendment": a, "lines": _amendment_lines(a, line_names)}
        for a in Amendment.objects.filter(grant=grant)
    ]
    admins = Membership.objects.filter(
        organisation_id=grant.organisation_id, role=Membership.Role.ADMIN
    ).select_related("user")
    return render(
        request,
        "grantee/grant.html",
        {
            "grant": grant,
            "owner": grant.programme.owner if grant.programme_id else None,
            "call": grant.application.call if grant.application_id else None,
            "lines": lines,
            "total_budget": sum((line.amount for line in lines), Decimal(0)),
            "total_own": sum((line.own_contribution for line in lines), Decimal(0)),
            "tranches": [(t, trigger_in_words(t)) for t in tranches],
            "paid": sum((t.paid_amount or Decimal(0) for t in tranches), Decimal(0)),
            "reports": reports,
            "amendments": amendments,
            "visits": visits,
            "history": _history(grant, reports, tranches),
            "can_sign": policies.can_sign_grant(user=request.user, grant=grant),
            "signers": [m.user.display_name for m in admins],
            "amendment_form": amendment_form or AmendmentForm(lines=lines),
            "close_form": FollowUpCloseForm(),
            "timezone": grant.programme.timezone if grant.programme_id else "Europe/Belgrade",
        },
        status=status,
    )


def _amendment_lines(amendment: Amendment, names: dict[str, str]) -> list[dict]:
    if amendment.kind != Amendment.Kind.BUDGET:
        return []
    previous = amendment.previous.get("lines", {}) if amendment.previous else {}
    return [
        {"name": names.get(k, k), "amount": Decimal(v), "before": previous.get(k)}
        for k, v in (amendment.changes.get("lines") or {}).items()
    ]


@login_required
@require_GET
def grant_detail(request: HttpRequest, grant_id: int) -> HttpResponse:
    return _render_grant(request, grant_for_member(request.user, grant_id))


# The agreement ------------------------------------------------------------------------------


@login_required
@require_GET
def grant_agreement(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = grant_for_viewer(request.user, grant_id, *AGREEMENT_READS)
    name = f"agreement-{(grant.reference or str(grant.pk)).replace('/', '-')}.pdf"
    response = HttpResponse(agreement_pdf(grant), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def grant_signed_copy(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = grant_for_viewer(request.user, grant_id, *AGREEMENT_READS)
    if not grant.signed_copy:
        raise Http404
    try:
        handle = grant.signed_copy.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=f"signed-agreement-{grant.pk}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def grant_sign_view(request: HttpRequest, grant_id: int) -> HttpResponse:
    """Accept the agreement in the app, or upload a signed copy; both call grant_sign."""
    grant = grant_for_member(request.user, grant_id)
    can_sign = policies.can_sign_grant(user=request.user, grant=grant)
    form = SignedCopyForm()
    status = 200
    if request.method == "POST" and grant.state == Grant.State.AWARDED:
        signed_copy = None
        if "upload" in request.POST:
            form = SignedCopyForm(request.POST, request.FILES)
            if form.is_valid():
                signed_copy = form.cleaned_data["signed_copy"]
        if "accept" in request.POST or signed_copy is not None:
            try:
                grant_sign(grant=grant, actor=request.user, signed_copy=signed_copy)
            except NotPermitted:
                messages.error(
                    request, _("Only an administrator of the organisation can sign the agreement.")
                )
            except (TransitionConflict, RuleViolation) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    _("The agreement is signed. The first tranche is now due for payment.")
                    if grant.tranches.filter(state=Tranche.State.DUE).exists()
                    else _("The agreement is signed."),
                )
            return redirect("grantee-grant", grant.pk)
        status = 400
    elif request.method == "POST":
        messages.info(request, _("The agreement is already signed."))
        return redirect("grantee-grant", grant.pk)
    return render(
        request,
        "grantee/sign.html",
        {"grant": grant, "can_sign": can_sign, "form": form},
        status=status,
    )


# Amendments and follow-up actions -----------------------------------------------------------


@login_required
@require_POST
def amendment_create(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = grant_for_member(request.user, grant_id)
    form = AmendmentForm(request.POST, lines=list(grant.budget_lines.all()))
    if form.is_valid():
        with refusal_as_message(request, NotPermitted) as refused, refusal_on_form(form):
            amendment_request(
                grant=grant,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                justification=form.cleaned_data["justification"],
                changes=form.changes(),
            )
            messages.success(request, _("Your amendment request was sent to the programme team."))
            return redirect(f"{reverse('grantee-grant', args=[grant.pk])}#amendments")
        if refused:
            return redirect("grantee-grant", grant.pk)
    return _render_grant(request, grant, amendment_form=form, status=400)


@login_required
@require_POST
def action_close(request: HttpRequest, grant_id: int, action_id: int) -> HttpResponse:
    grant = grant_for_member(request.user, grant_id)
    action = follow_up_action_of(grant, action_id)
    form = FollowUpCloseForm(request.POST)
    form.is_valid()
    with refusal_as_message(request, TransitionConflict, NotPermitted):
        follow_up_close(action=action, actor=request.user, note=form.cleaned_data.get("note", ""))
        messages.success(request, _("The action is closed."))
    return redirect(f"{reverse('grantee-grant', args=[grant.pk])}#visits")


# The report ---------------------------------------------------------------------------------


def _currencies(report: Report) -> list[dict]:
    """The grant's currency and the grantee's local one, each with this period's rate (None
    when the programme team has not entered it yet)."""
    grant = report.grant
    codes = [grant.currency]
    for code in (LOCAL_CURRENCY.get(grant.organisation.country), report.currency):
        if code and code not in codes:
            codes.append(code)
    options = []
    for code in codes:
        rate = None
        if code != grant.currency and grant.programme_id:
            found = rate_for(programme=grant.programme, currency=code, day=report.period_end)
            rate = found.rate if found else None
        options.append({"code": code, "rate": rate, "selected": code == report.currency})
    return options


def _plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.quantize(Decimal("0.01")), "f")


def _report_context(
    request: HttpRequest,
    report: Report,
    *,
    posted: ReportInput | None = None,
    errors: dict[str, list[str]] | None = None,
    **extra,
) -> dict:
    grant = report.grant
    programme = grant.programme
    errors = errors or {}
    posted = posted or ReportInput()
    questions = list(programme.report_questions) if programme else []
    statement = financial_statement(report)
    spent_local = {row.budget_line_id: row.spent_local for row in statement.lines}
    lines = {line.pk: line for line in grant.budget_lines.all()}
    indicators = list(programme.indicators.all()) if programme else []
    values = {v.indicator_id: v.value for v in report.indicator_values.all()}
    comments: dict[str, list[ReportComment]] = {}
    show = report.comments.all() if report.state in EDITABLE else report.comments.none()
    for comment in show.filter(resolved=False):
        comments.setdefault(comment.section, []).append(comment)
    currency = posted.currency or report.currency
    call = grant.application.call if grant.application_id else None
    return {
        "grant": grant,
        "report": report,
        "editable": report.state in EDITABLE,
        "questions": [
            {
                "index": i,
                "label": q,
                "value": posted.narrative.get(q, report.narrative.get(q, "")),
                "errors": errors.get(f"narrative.{i}", []),
            }
            for i, q in enumerate(questions)
        ],
        "statement": statement,
        "total_variance": statement.total_budget - statement.total_spent,
        "rows": [
            {
                "line": lines[row.budget_line_id],
                "row": row,
                "value": posted.spending.get(row.budget_line_id)
                if row.budget_line_id in posted.spending
                else _plain(spent_local[row.budget_line_id]),
                "errors": errors.get(f"spending.{row.budget_line_id}", []),
            }
            for row in statement.lines
        ],
        "currencies": _currencies(report),
        "currency": currency,
        "flexibility": call.budget_flexibility_percent if call else Decimal(10),
        "indicators": [
            {
                "indicator": ind,
                "value": posted.indicators.get(ind.pk)
                if ind.pk in posted.indicators
                else (_plain(values[ind.pk]) if ind.pk in values else ""),
                "saved": values.get(ind.pk),
                "errors": errors.get(f"indicators.{ind.pk}", []),
            }
            for ind in indicators
        ],
        "comments": comments,
        "attachments": list(report.attachments.select_related("uploaded_by")),
        "accept": ",".join(sorted({ext for exts in ALLOWED.values() for ext in exts})),
        "accepted_types": ALLOWED_DESCRIPTION,
        "max_bytes": settings.ATTACHMENT_MAX_BYTES,
        "errors": errors,
        "version": report.version,
        **extra,
    }


def _render_report(request: HttpRequest, report: Report, *, status: int = 200, **kwargs):
    context = _report_context(request, report, **kwargs)
    template = "grantee/report_edit.html" if context["editable"] else "grantee/report_view.html"
    return render(request, template, context, status=status)


def _fresh(report: Report) -> Report:
    grant = report.grant
    report = Report.objects.get(pk=report.pk)
    report.grant = grant
    return report


def _save(request: HttpRequest, report: Report, version: int) -> tuple[Report, ReportInput]:
    """Save what was posted on top of `version`; raises the service's errors."""
    grant = report.grant
    posted = report_input_from_post(
        request.POST,
        questions=list(grant.programme.report_questions) if grant.programme_id else [],
        lines=list(grant.budget_lines.all()),
        indicators=list(grant.programme.indicators.all()) if grant.programme_id else [],
    )
    saved = report_save(
        report=report,
        actor=request.user,
        version=version,
        narrative=posted.narrative,
        spending=posted.spending,
        indicators=posted.indicators,
        currency=posted.currency,
    )
    saved.grant = grant
    return saved, posted


def _posted(request: HttpRequest, report: Report) -> ReportInput:
    grant = report.grant
    return report_input_from_post(
        request.POST,
        questions=list(grant.programme.report_questions) if grant.programme_id else [],
        lines=list(grant.budget_lines.all()),
        indicators=list(grant.programme.indicators.all()) if grant.programme_id else [],
    )


def _unanswered(report: Report) -> dict[str, list[str]]:
    """Each question without an answer, marked at the question."""
    questions = report.grant.programme.report_questions if report.grant.programme_id else []
    return {
        f"narrative.{i}": [_("Answer this question.")]
        for i, q in enumerate(questions)
        if not (report.narrative.get(q) or "").strip()
    }


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, grant_id: int, report_id: int) -> HttpResponse:
    """The report: an editor while it is open or sent back, read-only otherwise. A POST is
    "Save" without JavaScript."""
    report = report_for_member(request.user, grant_id, report_id)
    if request.method == "GET" or report.state not in EDITABLE:
        return _render_report(request, report)
    version = posted_version(request.POST)
    if version is None:
        return HttpResponseBadRequest(_("Reload the page: the form is missing its version."))
    try:
        report, _posted_input = _save(request, report, version)
    except TransitionConflict as exc:
        return _render_report(
            request, report, posted=_posted(request, report), conflict=exc, status=409
        )
    except RuleViolation as exc:
        return _render_report(
            request,
            report,
            posted=_posted(request, report),
            errors=exc.errors,
            save_error=_("Not saved: correct what is marked below."),
            status=400,
        )
    messages.success(request, _("Report saved."))
    return redirect("grantee-report", report.grant_id, report.pk)


def _clock(request: HttpRequest, report: Report) -> str:
    """Now, in the user's time zone (else the programme's), with the zone's abbreviation."""
    zone = getattr(request.user, "timezone", "") or (
        report.grant.programme.timezone if report.grant.programme_id else "Europe/Belgrade"
    )
    try:
        local = timezone.localtime(timezone.now(), ZoneInfo(zone))
    except (ValueError, KeyError):
        local = timezone.localtime(timezone.now(), ZoneInfo("Europe/Belgrade"))
    return f"{local:%H:%M:%S} {local.tzname()}"


def _status(
    request: HttpRequest,
    report: Report,
    *,
    state: str,
    problems: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The save-status region; after a save, the new version and the server's statement out of
    band (htmx swaps 400 and 409 answers too, see base.html)."""
    html = render_to_string(
        "grantee/_report_status.html",
        {
            "state": state,
            "problems": problems or [],
            "report": report,
            "saved_at": _clock(request, report),
        },
        request=request,
    )
    if state == "saved":
        statement = financial_statement(report)
        html += render_to_string(
            "grantee/_statement_oob.html",
            {
                "statement": statement,
                "total_variance": statement.total_budget - statement.total_spent,
                "version": report.version,
                "report": report,
            },
            request=request,
        )
    return HttpResponse(html, status=status)


@login_required
@require_POST
def report_autosave(request: HttpRequest, grant_id: int, report_id: int) -> HttpResponse:
    report = report_for_member(request.user, grant_id, report_id)
    if not request.htmx:
        return report_edit(request, grant_id, report_id)
    version = posted_version(request.POST)
    if version is None:
        return HttpResponseBadRequest(_("Reload the page: the form is missing its version."))
    try:
        report, _posted_input = _save(request, report, version)
    except TransitionConflict as exc:
        state = "conflict" if exc.code == "stale_version" else "error"
        return _status(request, report, state=state, problems=[exc.detail], status=409)
    except RuleViolation as exc:
        return _status(request, report, state="error", problems=exc.messages, status=400)
    except NotPermitted as exc:
        return _status(request, report, state="error", problems=[str(exc)], status=409)
    return _status(request, report, state="saved")


@login_required
@require_POST
def report_submit_view(request: HttpRequest, grant_id: int, report_id: int) -> HttpResponse:
    """Save what the form holds, then submit. Any problem: the editor again with every problem
    listed and everything typed still in it."""
    report = report_for_member(request.user, grant_id, report_id)
    if report.state not in EDITABLE:
        messages.info(request, _("This report is already submitted."))
        return redirect("grantee-report", report.grant_id, report.pk)
    version = posted_version(request.POST)
    if version is not None:
        try:
            report, _posted_input = _save(request, report, version)
        except TransitionConflict as exc:
            return _render_report(
                request,
                report,
                posted=_posted(request, report),
                conflict=exc,
                submit_error=_("Not submitted: the report changed since you opened it."),
                status=409,
            )
        except RuleViolation as exc:
            return _render_report(
                request,
                report,
                posted=_posted(request, report),
                errors=exc.errors,
                submit_error=_("Not submitted: correct what is marked below first."),
                submit_problems=exc.messages,
                status=400,
            )
    try:
        report_submit(report=report, actor=request.user)
    except RuleViolation as exc:
        report = _fresh(report)
        return _render_report(
            request,
            report,
            errors=_unanswered(report),
            submit_error=_("Not submitted yet: these need an answer first."),
            submit_problems=exc.messages,
            status=400,
        )
    except (TransitionConflict, NotPermitted) as exc:
        messages.error(request, str(exc))
        return redirect("grantee-report", report.grant_id, report.pk)
    messages.success(request, _("Your report was submitted. The programme team will review it."))
    return redirect("grantee-grant", report.grant_id)


# Report attachments -------------------------------------------------------------------------


def _attachments_response(
    request: HttpRequest, report: Report, *, errors: list[str], message: str = ""
) -> HttpResponse:
    if not request.htmx:
        if errors:
            for error in errors:
                messages.error(request, error)
        elif message:
            messages.success(request, message)
        return redirect(
            f"{reverse('grantee-report', args=[report.grant_id, report.pk])}#attachments"
        )
    context = _report_context(request, _fresh(report))
    context.update(upload_errors=errors, attachment_message=message)
    html = render_to_string("grantee/_report_attachments.html", context, request=request)
    return HttpResponse(html, status=400 if errors else 200)


@login_required
@require_POST
def report_attachment_upload(request: HttpRequest, grant_id: int, report_id: int):
    report = report_for_member(request.user, grant_id, report_id)
    upload = request.FILES.get("file")
    if upload is None:
        return _attachments_response(request, report, errors=[_("Choose a file to upload.")])
    try:
        attachment = report_attachment_add(report=report, actor=request.user, upload=upload)
    except RuleViolation as exc:
        return _attachments_response(request, report, errors=exc.messages)
    except (TransitionConflict, NotPermitted) as exc:
        return _attachments_response(request, report, errors=[str(exc)])
    return _attachments_response(
        request,
        report,
        errors=[],
        message=_("“%(name)s” uploaded.") % {"name": attachment.original_name},
    )


@login_required
@require_POST
def report_attachment_delete(
    request: HttpRequest, grant_id: int, report_id: int, attachment_id: int
) -> HttpResponse:
    report = report_for_member(request.user, grant_id, report_id)
    attachment = attachment_of(report, attachment_id)
    attachment.report = report
    try:
        report_attachment_remove(attachment=attachment, actor=request.user)
    except (TransitionConflict, NotPermitted) as exc:
        return _attachments_response(request, report, errors=[str(exc)])
    return _attachments_response(
        request,
        report,
        errors=[],
        message=_("“%(name)s” removed.") % {"name": attachment.original_name},
    )


@login_required
@require_GET
def report_attachment_download(
    request: HttpRequest, grant_id: int, report_id: int, attachment_id: int
) -> HttpResponse:
    """Stored under a generated name, never on a public URL; streamed after the access check."""
    report = report_for_member(request.user, grant_id, report_id)
    attachment = attachment_of(report, attachment_id)
    return upload_response(attachment)
