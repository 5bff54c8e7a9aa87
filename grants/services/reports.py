"""Writes of reports: opening, the report as written (autosave with a version), attachments,
submission, changes requested, approval (which fires the tranches waiting on it), exchange
rates, and the reporting schedule of a grant."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import policies
from grants.models import (
    ExchangeRate,
    FinancialLine,
    Grant,
    Indicator,
    IndicatorValue,
    Programme,
    Report,
    ReportAttachment,
    ReportComment,
    Tranche,
)
from grants.notifications import notify_organisation
from grants.selectors.reports import financial_statement
from grants.uploads import inspect_upload
from workflows.exceptions import RuleViolation, TransitionConflict
from workflows.models import Notification, TransitionLog
from workflows.permissions import require
from workflows.services import transition_perform

EDITABLE = (Report.State.OPEN, Report.State.CHANGES_REQUESTED)


def _locked(report: Report) -> Report:
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("grant__programme")
        .get(pk=report.pk)
    )


def report_open(*, report: Report, actor) -> Report:
    with transaction.atomic():
        report = _locked(report)
        transition_perform(obj=report, name="open", actor=actor)
    return report


def _decimal(value, key: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        errors.setdefault(key, []).append(_("Enter a number."))
        return None
    if not number.is_finite() or number < 0:
        errors.setdefault(key, []).append(_("Cannot be negative."))
        return None
    if number.as_tuple().exponent < -2:
        errors.setdefault(key, []).append(_("Use at most two decimals."))
    return number


def report_save(
    *,
    report: Report,
    actor,
    version: int | None,
    narrative: Mapping[str, str] | None = None,
    spending: Mapping[int, object] | None = None,
    indicators: Mapping[int, object] | None = None,
    currency: str | None = None,
) -> Report:
    """Save a report in progress: narrative answers, spending per budget line (in the
    report's currency), indicator values. A stale `version` answers 409."""
    with transaction.atomic():
        report = _locked(report)
        grant = report.grant
        require(
            policies.is_member,
            user=actor,
            organisation_id=grant.organisation_id,
            message=_("Only the grantee writes its reports."),
        )
        if report.state not in EDITABLE:
            raise TransitionConflict(
                _("This report is “%(s)s” and cannot be changed.")
                % {"s": report.get_state_display()},
                code="not_editable",
            )
        if version is not None and int(version) != report.version:
            raise TransitionConflict(
                _("Someone saved this report after you opened it; reload to see their changes."),
                code="stale_version",
            )
        errors: dict[str, list[str]] = {}
        lines = {line.pk for line in grant.budget_lines.all()}
        programme_indicators = {
            i.pk for i in Indicator.objects.filter(programme=grant.programme_id)
        }
        spent = {}
        for line_id, value in (spending or {}).items():
            if int(line_id) not in lines:
                errors.setdefault("spending", []).append(
                    _("Unknown budget line %(id)s.") % {"id": line_id}
                )
                continue
            spent[int(line_id)] = _decimal(value, f"spending.{line_id}", errors) or Decimal(0)
        values = {}
        for indicator_id, value in (indicators or {}).items():
            if int(indicator_id) not in programme_indicators:
                errors.setdefault("indicators", []).append(
                    _("Unknown indicator %(id)s.") % {"id": indicator_id}
                )
                continue
            values[int(indicator_id)] = _decimal(value, f"indicators.{indicator_id}", errors)
        if currency is not None and len(currency) != 3:
            errors["currency"] = [_("Use a three-letter currency code.")]
        if errors:
            raise RuleViolation(errors)
        if narrative is not None:
            report.narrative = {**report.narrative, **{str(k): v for k, v in narrative.items()}}
        if currency is not None:
            report.currency = currency.upper()
        for line_id, amount in spent.items():
            FinancialLine.objects.update_or_create(
                report=report, budget_line_id=line_id, defaults={"spent": amount}
            )
        for indicator_id, value in values.items():
            if value is None:
                IndicatorValue.objects.filter(report=report, indicator_id=indicator_id).delete()
            else:
                IndicatorValue.objects.update_or_create(
                    report=report, indicator_id=indicator_id, defaults={"value": value}
                )
        report.version += 1
        report.save()
    return report


def report_submit(*, report: Report, actor) -> Report:
    """Submit: every narrative question answered; a rate exists when the report is in another
    currency. Open comments are marked resolved by the resubmission."""
    with transaction.atomic():
        report = _locked(report)
        require(
            policies.is_member,
            user=actor,
            organisation_id=report.grant.organisation_id,
            message=_("Only the grantee submits its reports."),
        )
        errors = {}
        questions = report.grant.programme.report_questions if report.grant.programme_id else []
        missing = [q for q in questions if not (report.narrative.get(q) or "").strip()]
        if missing and report.state in EDITABLE:
            errors["narrative"] = [_("Answer “%(q)s”.") % {"q": q} for q in missing]
        if report.state in EDITABLE and financial_statement(report).missing_rate:
            errors["currency"] = [
                _("There is no %(c)s rate for %(m)s yet: ask the programme team to add it.")
                % {"c": report.currency, "m": f"{report.period_end:%Y-%m}"}
            ]
        if errors:
            raise RuleViolation(errors, detail=_("The report cannot be submitted yet."))
        report.submitted_at = timezone.now()
        report.submitted_by = actor
        transition_perform(obj=report, name="submit", actor=actor)
        report.comments.filter(resolved=False).update(resolved=True)
    return report


def report_request_changes(*, report: Report, actor, comments: Mapping[str, str]) -> Report:
    """Send the report back with a comment per section, so the grantee sees exactly what to fix."""
    require(
        policies.can_decide_report,
        user=actor,
        report=report,
        message=_("Only the programme's managers, outside the grantee, decide on reports."),
    )
    comments = {k: (v or "").strip() for k, v in comments.items() if (v or "").strip()}
    if not comments:
        raise RuleViolation({"comments": [_("Say what needs to change.")]})
    unknown = set(comments) - set(ReportComment.Section.values)
    if unknown:
        raise RuleViolation(
            {"comments": [_("Unknown section: %(s)s") % {"s": ", ".join(sorted(unknown))}]}
        )
    with transaction.atomic():
        report = _locked(report)
        report.decided_by = actor
        report.decided_at = timezone.now()
        transition_perform(
            obj=report, name="request_changes", actor=actor, comment="; ".join(comments.values())
        )
        ReportComment.objects.bulk_create(
            ReportComment(report=report, section=section, text=text, author=actor)
            for section, text in comments.items()
        )
        _tell_grantee(report, Notification.Kind.CHANGES_REQUESTED, "Changes requested")
    return report


def _tell_grantee(report: Report, kind: str, what: str) -> None:
    notify_organisation(
        kind,
        report.grant.organisation_id,
        key=f"report:{report.pk}",
        url=f"/grants/{report.grant_id}/reports/{report.pk}/",
        subject=f"{what}: {report.get_kind_display()} {report.number} — {report.grant.title}",
        params={"report": report.pk},
    )


def report_approve(*, report: Report, actor, comment: str = "") -> Report:
    """Approve — never by a member of the organisation that wrote it. The rate used is stored
    with the report, and the tranches waiting on this report become due."""
    from grants.services.grants import _make_due

    with transaction.atomic():
        report = _locked(report)
        statement = financial_statement(report)
        if statement.missing_rate:
            raise TransitionConflict(
                _("Add the %(c)s rate for %(m)s before approving.")
                % {"c": report.currency, "m": f"{report.period_end:%Y-%m}"},
                code="missing_rate",
            )
        if statement.rate is not None:
            report.exchange_rate = statement.rate
            report.exchange_rate_month = report.period_end.replace(day=1)
        report.decided_by = actor
        report.decided_at = timezone.now()
        transition_perform(obj=report, name="approve", actor=actor, comment=comment)
        for tranche in report.tranches.filter(state=Tranche.State.PLANNED):
            _make_due(tranche, actor=None)
        _tell_grantee(report, Notification.Kind.REPORT_APPROVED, "Report approved")
    return report


# Every transition of a report, by its django-fsm name → the service that performs it: its API
# actions and `available_transitions` come from here.
REPORT_TRANSITIONS: dict[str, Callable[..., Report]] = {
    "open": report_open,
    "submit": report_submit,
    "approve": report_approve,
    "request_changes": report_request_changes,
}


def report_attachment_add(*, report: Report, actor, upload) -> ReportAttachment:
    """A receipt, photo or list of participants for a report being written, checked by its
    content and stored under a generated name. Attachments are rows of their own, so adding
    one does not move the report's version (an autosave in flight stays valid)."""
    content_type = inspect_upload(upload, max_bytes=settings.ATTACHMENT_MAX_BYTES)
    with transaction.atomic():
        report = _locked(report)
        _require_writable(report, actor)
        attachment = ReportAttachment(
            report=report,
            original_name=(upload.name or "")[:255],
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
    return attachment


def report_attachment_remove(*, attachment: ReportAttachment, actor) -> None:
    """Remove an attachment while the report can still be changed; the file goes after commit."""
    with transaction.atomic():
        report = _locked(attachment.report)
        _require_writable(report, actor)
        stored = attachment.file.name
        storage = attachment.file.storage
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(stored))


def _require_writable(report: Report, actor) -> None:
    require(
        policies.is_member,
        user=actor,
        organisation_id=report.grant.organisation_id,
        message=_("Only the grantee writes its reports."),
    )
    if report.state not in EDITABLE:
        raise TransitionConflict(
            _("This report is “%(s)s” and cannot be changed.") % {"s": report.get_state_display()},
            code="not_editable",
        )


def exchange_rate_set(
    *, programme: Programme, actor, currency: str, month: dt.date, rate: Decimal
) -> ExchangeRate:
    """The manager keeps the monthly rate table: `rate` units of `currency` for one unit of
    the programme's currency. Setting a month again corrects it; reports already approved
    keep the rate stored with them."""
    require(
        policies.can_manage_programme,
        user=actor,
        programme=programme,
        message=_("Only a manager of the programme keeps its exchange rates."),
    )
    errors = {}
    currency = (currency or "").strip().upper()
    if len(currency) != 3:
        errors["currency"] = [_("Use a three-letter currency code.")]
    elif currency == programme.currency:
        errors["currency"] = [_("The programme's own currency needs no rate.")]
    try:
        rate = Decimal(str(rate))
        if not rate.is_finite() or rate <= 0:
            raise ArithmeticError
    except (ArithmeticError, ValueError):
        errors["rate"] = [_("The rate must be a number above 0.")]
    if errors:
        raise RuleViolation(errors)
    with transaction.atomic():
        found, _created = ExchangeRate.objects.update_or_create(
            programme=programme,
            currency=currency,
            month=month.replace(day=1),
            defaults={"rate": rate},
        )
    return found


def reports_open_due(*, today: dt.date | None = None) -> int:
    """Open every scheduled report whose period has ended, so the grantee can write it.
    Part of the deadline sweep; each report is locked and re-checked, so it opens once."""
    today = today or timezone.localdate()
    opened = 0
    due = Report.objects.filter(state=Report.State.SCHEDULED, period_end__lt=today)
    for report_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            report = _locked(Report(pk=report_id))
            if report.state != Report.State.SCHEDULED:
                continue
            transition_perform(
                obj=report,
                name="open",
                actor=None,
                comment=_("Opened automatically at the end of the reporting period."),
                check_permission=False,
            )
            opened += 1
    return opened


RESCHEDULABLE = (Report.State.SCHEDULED, Report.State.OPEN)


SCHEDULE_FROZEN = ("closed", "terminated")


def _locked_grant_for_schedule(grant: Grant, actor) -> Grant:
    """Lock the grant: every change to its schedule runs one after the other, so two
    managers adding reports at once cannot hand out the same number."""
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    # Who before what: an outsider learns nothing about the schedule's rules.
    require(
        policies.can_manage_grant,
        user=actor,
        grant=grant,
        message=_("Only the grant's managers change its reporting schedule."),
    )
    if grant.state in SCHEDULE_FROZEN:
        raise TransitionConflict(
            _("This grant is “%(s)s”: its reporting schedule cannot change any more.")
            % {"s": grant.get_state_display()},
            code="invalid_state",
        )
    return grant


def _schedule_errors(
    grant: Grant,
    *,
    kind: str,
    period_start: dt.date,
    period_end: dt.date,
    due_date: dt.date,
    exclude_pk: int | None = None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if period_end < period_start:
        errors["period_end"] = [_("The period cannot end before it starts.")]
    if due_date < period_end:
        errors["due_date"] = [_("A report cannot be due before its period ends.")]
    if grant.start_date and period_start < grant.start_date:
        errors.setdefault("period_start", []).append(
            _("The grant starts on %(d)s.") % {"d": grant.start_date.isoformat()}
        )
    if kind == Report.Kind.FINAL:
        if grant.end_date and period_end != grant.end_date:
            errors.setdefault("period_end", []).append(
                _("The final report's period ends with the grant, on %(d)s.")
                % {"d": grant.end_date.isoformat()}
            )
        return errors
    if grant.end_date and period_end >= grant.end_date:
        errors.setdefault("period_end", []).append(
            _("An interim report ends before the grant does (%(d)s).")
            % {"d": grant.end_date.isoformat()}
        )
    # Interim values add up in the roll-up until the final report is approved: overlapping
    # interim periods would count the same work twice.
    overlapping = (
        grant.reports.filter(
            kind=Report.Kind.INTERIM, period_start__lte=period_end, period_end__gte=period_start
        )
        .exclude(pk=exclude_pk)
        .first()
    )
    if overlapping is not None:
        errors.setdefault("period_start", []).append(
            _("The period overlaps interim report %(n)s (%(start)s – %(end)s).")
            % {
                "n": overlapping.number,
                "start": overlapping.period_start.isoformat(),
                "end": overlapping.period_end.isoformat(),
            }
        )
    return errors


def _renumber(grant: Grant) -> None:
    """Number the grant's reports 1…n by period, the final report last. Needs the grant lock.
    (grant, number) is unique and checked row by row, so the numbers first move above the
    highest one in use, then come back in order: no two rows ever hold the same number."""
    reports = list(grant.reports.select_for_update().order_by("number"))
    ordered = sorted(
        reports,
        key=lambda r: (r.kind == Report.Kind.FINAL, r.period_end, r.period_start, r.number),
    )
    if [r.number for r in ordered] == list(range(1, len(ordered) + 1)):
        return
    offset = max(r.number for r in reports)
    grant.reports.update(number=F("number") + offset)
    for number, report in enumerate(ordered, start=1):
        Report.objects.filter(pk=report.pk).update(number=number)


def _log_schedule(grant: Grant, *, actor, name: str, comment: str) -> None:
    """Schedule changes go in the grant's history (a removed report has none of its own)."""
    TransitionLog.objects.create(
        subject=grant,
        transition=name,
        from_state=grant.state,
        to_state=grant.state,
        actor=actor,
        comment=comment,
    )


def _describe(report: Report) -> str:
    return _("%(kind)s %(n)s: %(start)s – %(end)s, due %(due)s") % {
        "kind": report.get_kind_display(),
        "n": report.number,
        "start": report.period_start.isoformat(),
        "end": report.period_end.isoformat(),
        "due": report.due_date.isoformat(),
    }


def report_reschedule(
    *,
    report: Report,
    actor,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    due_date: dt.date | None = None,
) -> Report:
    """Move a report's period or due date while it is scheduled or open. The final report's
    period keeps the grant's end (an extension amendment moves it); interim reports are
    renumbered if their order changes."""
    with transaction.atomic():
        grant = _locked_grant_for_schedule(report.grant, actor)
        report = _locked(report)
        if report.state not in RESCHEDULABLE:
            raise TransitionConflict(
                _("This report is “%(s)s”: only a scheduled or open report can be rescheduled.")
                % {"s": report.get_state_display()},
                code="invalid_state",
            )
        period_start = report.period_start if period_start is None else period_start
        period_end = report.period_end if period_end is None else period_end
        due_date = report.due_date if due_date is None else due_date
        errors = _schedule_errors(
            grant,
            kind=report.kind,
            period_start=period_start,
            period_end=period_end,
            due_date=due_date,
            exclude_pk=report.pk,
        )
        if errors:
            raise RuleViolation(errors, detail=_("The report cannot be rescheduled."))
        report.period_start, report.period_end, report.due_date = (
            period_start,
            period_end,
            due_date,
        )
        report.save(update_fields=["period_start", "period_end", "due_date"])
        _renumber(grant)
        report.refresh_from_db()
        _log_schedule(
            grant,
            actor=actor,
            name="report_reschedule",
            comment=_("Rescheduled: %(r)s") % {"r": _describe(report)},
        )
    return report


def report_add_interim(
    *, grant: Grant, actor, period_start: dt.date, period_end: dt.date, due_date: dt.date
) -> Report:
    """Add an interim report to the grant's schedule. It takes its place by period, and the
    reports after it move up one number; the final report stays last."""
    with transaction.atomic():
        grant = _locked_grant_for_schedule(grant, actor)
        errors = _schedule_errors(
            grant,
            kind=Report.Kind.INTERIM,
            period_start=period_start,
            period_end=period_end,
            due_date=due_date,
        )
        if errors:
            raise RuleViolation(errors, detail=_("The interim report cannot be added."))
        highest = grant.reports.order_by("-number").values_list("number", flat=True).first()
        report = Report.objects.create(
            grant=grant,
            number=(highest or 0) + 1,
            kind=Report.Kind.INTERIM,
            period_start=period_start,
            period_end=period_end,
            due_date=due_date,
            currency=grant.currency,
        )
        _renumber(grant)
        report.refresh_from_db()
        _log_schedule(
            grant,
            actor=actor,
            name="report_add_interim",
            comment=_("Added: %(r)s") % {"r": _describe(report)},
        )
    return report


def report_remove(*, report: Report, actor) -> None:
    """Remove a scheduled interim report, unless a tranche is released by its approval
    (removing it would leave that tranche without a trigger). The final report stays."""
    with transaction.atomic():
        grant = _locked_grant_for_schedule(report.grant, actor)
        report = _locked(report)
        if report.kind != Report.Kind.INTERIM:
            raise TransitionConflict(_("The final report cannot be removed."), code="final_report")
        if report.state != Report.State.SCHEDULED:
            raise TransitionConflict(
                _("This report is “%(s)s”: only a scheduled report can be removed.")
                % {"s": report.get_state_display()},
                code="invalid_state",
            )
        waiting = report.tranches.order_by("number").first()
        if waiting is not None:
            raise TransitionConflict(
                _("Tranche %(n)s is released on the approval of this report: it cannot be removed.")
                % {"n": waiting.number},
                code="tranche_waiting",
            )
        description = _describe(report)
        report.delete()
        _renumber(grant)
        _log_schedule(
            grant,
            actor=actor,
            name="report_remove",
            comment=_("Removed: %(r)s") % {"r": description},
        )
