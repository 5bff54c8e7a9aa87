"""Writes of a grant after the award: its creation from an awarded application (budget, tranches,
reporting schedule), signature, tranches (due, approved, paid), its lifecycle, incoming grants
and the public summary."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import policies
from grants.models import Donor, Grant, GrantBudgetLine, Organisation, Report, Tranche
from grants.notifications import notify_organisation
from grants.uploads import inspect_upload
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.models import Notification
from workflows.permissions import require
from workflows.services import transition_perform

CENT = Decimal("0.01")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has fewer days."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def reporting_schedule(*, start: dt.date, end: dt.date, template: dict) -> list[dict]:
    """Interim reports every N months of the grant period (each due 30 days after its period),
    and a final report covering the whole period, due `final_within_days` after the end."""
    every = int(template.get("interim_every_months") or 0)
    final_days = int(template.get("final_within_days") or 30)
    reports = []
    if every:
        period_start = start
        while True:
            period_end = add_months(period_start, every) - dt.timedelta(days=1)
            if period_end >= end:
                break
            reports.append(
                {
                    "kind": Report.Kind.INTERIM,
                    "period_start": period_start,
                    "period_end": period_end,
                    "due_date": period_end + dt.timedelta(days=30),
                }
            )
            period_start = period_end + dt.timedelta(days=1)
    reports.append(
        {
            "kind": Report.Kind.FINAL,
            "period_start": start,
            "period_end": end,
            "due_date": end + dt.timedelta(days=final_days),
        }
    )
    return reports


def tranche_amounts(amount: Decimal, percents: list[Decimal]) -> list[Decimal]:
    """Split `amount` by percentages; the last tranche takes the rounding remainder, so the
    tranches always add up to the grant exactly."""
    parts = [(amount * Decimal(p) / 100).quantize(CENT, rounding=ROUND_HALF_UP) for p in percents]
    if parts:
        parts[-1] = amount - sum(parts[:-1], Decimal(0))
    return parts


def grant_create_from_application(*, application, amount: Decimal, actor) -> Grant:
    """Create the grant of an awarded application: its budget lines (copied, then owned by the
    grant), tranches from the call's template and reports from its reporting schedule.
    Called inside the award approval's transaction."""
    call = application.call
    programme = call.programme
    parent = programme.parent_grant
    if (
        parent is not None
        and parent.max_subgrant_amount is not None
        and amount > parent.max_subgrant_amount
    ):
        raise TransitionConflict(
            _("%(ref)s: %(amount)s is above the donor's maximum per sub-grant (%(max)s).")
            % {"ref": application.reference, "amount": amount, "max": parent.max_subgrant_amount},
            code="above_subgrant_maximum",
        )
    start = timezone.localdate() + dt.timedelta(days=30)
    end = add_months(start, call.grant_duration_months) - dt.timedelta(days=1)
    lines = list(application.budget_lines.all())
    own = sum((line.own_contribution for line in lines), Decimal(0))
    grant = Grant.objects.create(
        title=application.title,
        organisation=application.organisation,
        programme=programme,
        application=application,
        reference=application.reference or "",
        amount=amount,
        currency=programme.currency,
        own_contribution=own,
        start_date=start,
        end_date=end,
        summary=_summary_of(application),
    )
    requested = sum((line.amount_requested for line in lines), Decimal(0))
    # A reduced award lowers every line in proportion; the last line absorbs the rounding.
    scaled = tranche_amounts(
        amount, [line.amount_requested * 100 / requested if requested else 0 for line in lines]
    )
    GrantBudgetLine.objects.bulk_create(
        GrantBudgetLine(
            grant=grant,
            order=i,
            category=line.category,
            description=line.description,
            amount=scaled[i],
            own_contribution=line.own_contribution,
        )
        for i, line in enumerate(lines)
    )
    schedule = reporting_schedule(start=start, end=end, template=call.reporting_template)
    reports = Report.objects.bulk_create(
        Report(grant=grant, number=i + 1, currency=programme.currency, **entry)
        for i, entry in enumerate(schedule)
    )
    template = call.tranche_template or [{"percent": 100, "trigger": "signature"}]
    amounts = tranche_amounts(amount, [Decimal(str(t["percent"])) for t in template])
    tranches = []
    for i, (entry, part) in enumerate(zip(template, amounts, strict=True)):
        trigger, report = _trigger(entry["trigger"], reports)
        tranches.append(
            Tranche(
                grant=grant,
                number=i + 1,
                percent=Decimal(str(entry["percent"])),
                amount=part,
                trigger=trigger,
                trigger_report=report,
            )
        )
    Tranche.objects.bulk_create(tranches)
    return grant


def _summary_of(application) -> str:
    """The first text answer of the application, as a starting public summary the manager
    can edit: the EU's cascade rules ask for a description of each sub-grant."""
    from grants.models import CallQuestion

    for answer in application.answers.select_related("question").order_by("question__order", "pk"):
        if (
            answer.question.kind in (CallQuestion.Kind.TEXT, CallQuestion.Kind.LONG_TEXT)
            and answer.value.strip()
        ):
            text = answer.value.strip()
            return text if len(text) <= 600 else text[:597].rsplit(" ", 1)[0] + "…"
    return ""


def _trigger(value: str, reports: list[Report]) -> tuple[str, Report | None]:
    if value == "signature":
        return Tranche.Trigger.SIGNATURE, None
    if value == "final_report":
        return Tranche.Trigger.REPORT, reports[-1]
    if value.startswith("report:"):
        index = int(value.split(":", 1)[1]) - 1
        return Tranche.Trigger.REPORT, reports[min(index, len(reports) - 1)]
    return Tranche.Trigger.MANUAL, None


def _locked_grant(grant: Grant) -> Grant:
    return Grant.objects.select_for_update().get(pk=grant.pk)


def grant_sign(*, grant: Grant, actor, signed_copy=None) -> Grant:
    """The grantee's authorised member accepts the agreement (or uploads a signed copy): the
    grant becomes contracted and the tranches due on signature become due."""
    with transaction.atomic():
        grant = _locked_grant(grant)
        # Who and when before what: a refused signer must not leave a file behind.
        require(
            policies.can_sign_grant,
            user=actor,
            grant=grant,
            message=_("Only an administrator of the grantee organisation can sign."),
        )
        if grant.state != Grant.State.AWARDED:
            raise TransitionConflict(_("This agreement is already signed."), code="invalid_state")
        grant.signed_at = timezone.now()
        grant.signed_by = actor
        if signed_copy is not None:
            content_type = inspect_upload(signed_copy, max_bytes=settings.ATTACHMENT_MAX_BYTES)
            extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
                content_type, "bin"
            )
            grant.signed_copy.save(f"agreement-{grant.pk}.{extension}", signed_copy, save=False)
        transition_perform(obj=grant, name="sign", actor=actor)
        for tranche in grant.tranches.filter(
            trigger=Tranche.Trigger.SIGNATURE, state=Tranche.State.PLANNED
        ):
            _make_due(tranche, actor=None)
    return grant


def _make_due(tranche: Tranche, *, actor) -> None:
    """A trigger fired: the system (actor None) or a manager makes the tranche due."""
    tranche = Tranche.objects.select_for_update().get(pk=tranche.pk)
    tranche.due_at = timezone.now()
    tranche.made_due_by = actor
    transition_perform(
        obj=tranche, name="make_due", actor=actor, check_permission=actor is not None
    )


def tranche_make_due(*, tranche: Tranche, actor) -> Tranche:
    """A manual tranche, made due by a manager."""
    with transaction.atomic():
        _make_due(tranche, actor=actor)
    tranche.refresh_from_db()
    return tranche


def tranche_approve(*, tranche: Tranche, actor) -> Tranche:
    """Approval for payment, by someone other than the person who made it due."""
    with transaction.atomic():
        tranche = Tranche.objects.select_for_update().select_related("grant").get(pk=tranche.pk)
        if tranche.made_due_by_id == actor.pk:
            raise NotPermitted(_("The person who made the tranche due cannot approve it."))
        tranche.approved_by = actor
        tranche.approved_at = timezone.now()
        transition_perform(obj=tranche, name="approve", actor=actor)
    return tranche


def tranche_pay(
    *, tranche: Tranche, actor, paid_on: dt.date, amount: Decimal | None = None, reference: str = ""
) -> Tranche:
    """Record a payment. The grant row is locked first, so two payments of one grant run one
    after the other, and the total paid never exceeds the grant."""
    with transaction.atomic():
        grant = _locked_grant(tranche.grant)
        tranche = Tranche.objects.select_for_update().get(pk=tranche.pk)
        require(
            policies.can_pay_tranche,
            user=actor,
            tranche=tranche,
            message=_("Only the programme's managers and approvers record payments."),
        )
        if tranche.state != Tranche.State.APPROVED:
            raise TransitionConflict(
                _("This tranche is “%(s)s”: only an approved tranche can be paid.")
                % {"s": tranche.get_state_display()},
                code="invalid_state",
            )
        amount = tranche.amount if amount is None else Decimal(str(amount))
        if amount <= 0 or amount > tranche.amount:
            raise RuleViolation({"amount": [_("Pay between 0 and the tranche's amount.")]})
        paid = (
            grant.tranches.filter(state=Tranche.State.PAID).aggregate(s=Sum("paid_amount"))["s"]
            or 0
        )
        if paid + amount > grant.amount:
            raise TransitionConflict(
                _("Paying %(a)s would take the total paid (%(p)s) above the grant (%(g)s).")
                % {"a": amount, "p": paid, "g": grant.amount},
                code="above_grant",
            )
        tranche.paid_on = paid_on
        tranche.paid_amount = amount
        tranche.payment_reference = reference.strip()[:100]
        tranche.paid_by = actor
        transition_perform(obj=tranche, name="pay", actor=actor)
        notify_organisation(
            Notification.Kind.TRANCHE_PAID,
            grant.organisation_id,
            key=f"tranche:{tranche.pk}",
            url=f"/grants/{grant.pk}/",
            subject=f"Tranche {tranche.number} paid: {grant.title}",
            params={"tranche": tranche.pk},
        )
    return tranche


# Every transition of a tranche, by its django-fsm name → the service that performs it: its API
# actions and `available_transitions` come from here.
TRANCHE_TRANSITIONS: dict[str, Callable[..., Tranche]] = {
    "make_due": tranche_make_due,
    "approve": tranche_approve,
    "pay": tranche_pay,
}


# A suspension or a termination is a decision the grantee must be able to read the reason for.
GRANT_TRANSITIONS_WITH_REASON = ("suspend", "terminate")


def grant_change_state(*, grant: Grant, actor, name: str, comment: str = "") -> Grant:
    """Start, close, suspend, resume or terminate a grant (its managers: see
    policies.can_manage_grant). Suspending and terminating need a reason; a grant closes only
    once every report is approved and no tranche waits for approval or payment."""
    if name not in GRANT_LIFECYCLE_TRANSITIONS:
        raise TransitionConflict(_("That transition is not available here."), code="unknown")
    comment = (comment or "").strip()
    with transaction.atomic():
        grant = _locked_grant(grant)
        # Who before what: an outsider learns nothing about the grant's rules.
        require(
            policies.can_manage_grant,
            user=actor,
            grant=grant,
            message=_("Only the grant's managers change its state."),
        )
        if name in GRANT_TRANSITIONS_WITH_REASON and not comment:
            raise RuleViolation({"comment": [_("Give the reason.")]})
        if name == "close" and grant.state == Grant.State.CLOSING:
            _require_closable(grant)
        transition_perform(obj=grant, name=name, actor=actor, comment=comment)
    return grant


# The grant's life after the signature, by django-fsm name → its service (grant_change_state,
# for them all): what the grant's page offers its managers, in this order.
GRANT_LIFECYCLE_TRANSITIONS: dict[str, Callable[..., Grant]] = {
    name: partial(grant_change_state, name=name)
    for name in ("activate", "start_closing", "close", "suspend", "resume", "terminate")
}

# Every transition of a grant, by django-fsm name → its service: the signature (the grantee's, on
# its own page) and the life after it. The API's actions and `available_transitions`, and the
# admin, come from here.
GRANT_TRANSITIONS: dict[str, Callable[..., Grant]] = {
    "sign": grant_sign,
    **GRANT_LIFECYCLE_TRANSITIONS,
}


def _require_closable(grant: Grant) -> None:
    open_reports = grant.reports.exclude(state=Report.State.APPROVED).count()
    unpaid = grant.tranches.filter(state__in=[Tranche.State.DUE, Tranche.State.APPROVED]).count()
    problems = []
    if open_reports:
        problems.append(_("%(n)s report(s) not approved yet") % {"n": open_reports})
    if unpaid:
        problems.append(_("%(n)s tranche(s) due or approved but not paid") % {"n": unpaid})
    if problems:
        raise TransitionConflict(
            _("The grant cannot be closed: %(problems)s.") % {"problems": "; ".join(problems)},
            code="not_closable",
        )


PERCENT_MAX = Decimal(100)


def _incoming_grant_errors(
    *,
    title: str,
    amount,
    start_date,
    end_date,
    max_subgrant_amount,
    min_cofinancing_percent,
    max_cofinancing_percent,
    reporting_period_months,
) -> dict[str, list[str]]:
    """The donor's grant and its rules, every problem at once, by field."""
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("Give the grant a title.")]
    if amount is None or Decimal(str(amount)) <= 0:
        errors["amount"] = [_("The grant's amount must be more than 0.")]
    if start_date is None:
        errors["start_date"] = [_("Give the start date.")]
    if end_date is None:
        errors["end_date"] = [_("Give the end date.")]
    elif start_date is not None and end_date < start_date:
        errors["end_date"] = [_("The grant cannot end before it starts.")]
    if max_subgrant_amount is not None:
        if max_subgrant_amount <= 0:
            errors["max_subgrant_amount"] = [_("The maximum per sub-grant must be more than 0.")]
        elif "amount" not in errors and max_subgrant_amount > Decimal(str(amount)):
            errors["max_subgrant_amount"] = [
                _("The maximum per sub-grant cannot exceed the grant itself.")
            ]
    for name, value in (
        ("min_cofinancing_percent", min_cofinancing_percent),
        ("max_cofinancing_percent", max_cofinancing_percent),
    ):
        if value is not None and not 0 <= value <= PERCENT_MAX:
            errors[name] = [_("A percentage between 0 and 100.")]
    if (
        min_cofinancing_percent is not None
        and max_cofinancing_percent is not None
        and not errors.keys() & {"min_cofinancing_percent", "max_cofinancing_percent"}
        and min_cofinancing_percent > max_cofinancing_percent
    ):
        errors["max_cofinancing_percent"] = [
            _("The co-financing maximum cannot be below the minimum.")
        ]
    if reporting_period_months is not None and reporting_period_months < 1:
        errors["reporting_period_months"] = [_("At least one month.")]
    return errors


def _save_incoming_grant(grant: Grant) -> None:
    # The field limits (digits, currency) as the model states them, as RuleViolation.
    try:
        grant.full_clean(exclude=["state"])  # the protected FSM field changes only by transition
    except ValidationError as exc:
        raise RuleViolation(exc.message_dict) from exc
    grant.save()


def incoming_grant_create(
    *,
    actor,
    organisation: Organisation,
    donor: Donor | None,
    title: str,
    reference: str,
    amount: Decimal,
    currency: str,
    start_date: dt.date,
    end_date: dt.date,
    max_subgrant_amount: Decimal | None = None,
    min_cofinancing_percent: Decimal | None = None,
    max_cofinancing_percent: Decimal | None = None,
    reporting_period_months: int | None = None,
) -> Grant:
    """Enter by hand the donor's grant to `organisation` (the lead), with the donor's rules
    for sub-grants. Only the organisation's administrators. An incoming grant has no
    application and no programme: it funds programmes through Programme.parent_grant."""
    require(
        policies.is_org_admin,
        user=actor,
        organisation_id=organisation.pk,
        message=_("Only an administrator of the organisation can enter its grants."),
    )
    rules = {
        "max_subgrant_amount": max_subgrant_amount,
        "min_cofinancing_percent": min_cofinancing_percent,
        "max_cofinancing_percent": max_cofinancing_percent,
        "reporting_period_months": reporting_period_months,
    }
    errors = _incoming_grant_errors(
        title=title, amount=amount, start_date=start_date, end_date=end_date, **rules
    )
    if errors:
        raise RuleViolation(errors)
    grant = Grant(
        organisation=organisation,
        donor=donor,
        title=title.strip(),
        reference=(reference or "").strip(),
        amount=amount,
        currency=currency,
        start_date=start_date,
        end_date=end_date,
        **rules,
    )
    _save_incoming_grant(grant)
    return grant


INCOMING_GRANT_FIELDS = (
    "donor",
    "title",
    "reference",
    "amount",
    "currency",
    "start_date",
    "end_date",
    "max_subgrant_amount",
    "min_cofinancing_percent",
    "max_cofinancing_percent",
    "reporting_period_months",
)


def incoming_grant_update(*, grant: Grant, actor, **fields) -> Grant:
    """Change an incoming grant or its donor's rules (any of INCOMING_GRANT_FIELDS). The
    recipient organisation stays. Sub-grants already awarded keep their amounts: the maximum
    per sub-grant is checked when a sub-grant is created."""
    unknown = set(fields) - set(INCOMING_GRANT_FIELDS)
    if unknown:
        raise TypeError(f"incoming_grant_update() got unexpected fields: {sorted(unknown)}")
    with transaction.atomic():
        grant = _locked_grant(grant)
        # Who before what: an outsider learns nothing about the grant.
        require(
            policies.is_org_admin,
            user=actor,
            organisation_id=grant.organisation_id,
            message=_("Only an administrator of the organisation can change its grants."),
        )
        if grant.application_id is not None or grant.programme_id is not None:
            raise TransitionConflict(
                _("This is a sub-grant awarded here, not an incoming grant."), code="not_incoming"
            )
        values = {name: getattr(grant, name) for name in INCOMING_GRANT_FIELDS} | fields
        errors = _incoming_grant_errors(
            **{
                name: values[name]
                for name in (
                    "title",
                    "amount",
                    "start_date",
                    "end_date",
                    "max_subgrant_amount",
                    "min_cofinancing_percent",
                    "max_cofinancing_percent",
                    "reporting_period_months",
                )
            }
        )
        if errors:
            raise RuleViolation(errors)
        values["title"] = values["title"].strip()
        values["reference"] = (values["reference"] or "").strip()
        for name, value in values.items():
            setattr(grant, name, value)
        _save_incoming_grant(grant)
    return grant


def grant_summary_update(*, grant: Grant, actor, summary: str) -> Grant:
    """The public summary published with the award (EU cascade rules ask for a description)."""
    require(
        policies.can_manage_grant,
        user=actor,
        grant=grant,
        message=_("Only the programme's managers edit the public summary."),
    )
    summary = (summary or "").strip()
    if len(summary) > 2000:
        raise RuleViolation({"summary": [_("Keep the summary under 2,000 characters.")]})
    with transaction.atomic():
        grant = _locked_grant(grant)
        grant.summary = summary
        grant.save(update_fields=["summary"])
    return grant
