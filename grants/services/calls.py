"""Writes of calls: creation and changes (the rules frozen once published), publication and the
other transitions, questions and criteria, closing calls whose time has come."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import policies
from grants.models import Call, CallQuestion, Criterion, Programme
from grants.templatetags.money import format_money
from workflows.exceptions import RuleViolation, TransitionConflict
from workflows.permissions import require
from workflows.services import model_validate, transition_perform

# Once a call is published, these define what a valid application is: changing them could
# invalidate drafts that applicants are writing, so they are frozen.
FROZEN_CALL_FIELDS = {
    "programme",
    "opens_at",
    "timezone",
    "min_grant",
    "max_grant",
    "min_cofinancing_percent",
    "eligible_countries",
    "eligible_org_types",
    "reference_prefix",
}


# Still editable after publication: the texts, a *later* closing time (an extension, never an
# earlier one), a *larger* budget, reviewers per application until review starts, and when
# the deadline reminders go (they only change who is nudged when, not what is valid).
EDITABLE_CALL_FIELDS = {
    "title",
    "summary",
    "description",
    "scope",
    "closes_at",
    "budget",
    "reviewers_per_application",
    "reminder_offsets",
}


def call_update(*, call: Call, actor, **fields) -> Call:
    """Change a call. After publication only the fields in EDITABLE_CALL_FIELDS may change,
    the closing time only later and the budget only up."""
    require(
        policies.can_manage_call,
        user=actor,
        call=call,
        message=_("Only a manager of the programme can change its calls."),
    )
    with transaction.atomic():
        call = (
            Call.objects.select_for_update(of=("self",))
            .select_related("programme__parent_grant__donor")
            .get(pk=call.pk)
        )
        errors: dict[str, list[str]] = {}
        if call.rules_frozen:
            for name, value in fields.items():
                if name in FROZEN_CALL_FIELDS and getattr(call, name) != value:
                    errors[name] = [_("Cannot be changed once the call is published.")]
            if "closes_at" in fields and fields["closes_at"] != call.closes_at:
                if call.state != Call.State.OPEN:
                    errors["closes_at"] = [_("Only an open call can be extended.")]
                elif fields["closes_at"] < call.closes_at:
                    errors["closes_at"] = [_("A published call can be extended, not shortened.")]
            if "budget" in fields and Decimal(fields["budget"]) < call.budget:
                errors["budget"] = [_("A published call's budget can grow, not shrink.")]
        # Only what changes is checked against the donor's rules: a call made before its
        # programme was funded by a capped grant stays editable in its other fields.
        changed = {name: value for name, value in fields.items() if getattr(call, name) != value}
        errors = _donor_rule_errors(call.programme, changed) | errors
        if errors:
            raise RuleViolation(errors)
        for name, value in fields.items():
            setattr(call, name, value)
        call.full_clean(exclude=["state"])  # the protected FSM field changes only by transition
        call.save()
    return call


def call_publish(*, call: Call, actor, comment: str = "") -> Call:
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.state == Call.State.DRAFT and call.closes_at <= timezone.now():
            raise TransitionConflict(
                _("The closing time has passed; move it before publishing."), code="call_closed"
            )
        transition_perform(obj=call, name="publish", actor=actor, comment=comment)
    return call


def _call_transition(*, call: Call, name: str, actor, comment: str = "") -> Call:
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        transition_perform(obj=call, name=name, actor=actor, comment=comment)
    return call


def call_close(*, call: Call, actor, comment: str = "") -> Call:
    return _call_transition(call=call, name="close", actor=actor, comment=comment)


def call_cancel(*, call: Call, actor, comment: str = "") -> Call:
    return _call_transition(call=call, name="cancel", actor=actor, comment=comment)


def call_start_review(*, call: Call, actor, comment: str = "") -> Call:
    return _call_transition(call=call, name="start_review", actor=actor, comment=comment)


def call_archive(*, call: Call, actor, comment: str = "") -> Call:
    """A decided call is put away (its programme's managers): it leaves the public list."""
    return _call_transition(call=call, name="archive", actor=actor, comment=comment)


# Every transition of a call that a person performs, by its django-fsm name → the service that
# performs it, in the order of the machine: the call's page, its API actions and
# `available_transitions`, and the admin all come from here. (`decide` is the award list's
# approval: applications.services.awards.)
CALL_TRANSITIONS: dict[str, Callable[..., Call]] = {
    "publish": call_publish,
    "close": call_close,
    "cancel": call_cancel,
    "start_review": call_start_review,
    "archive": call_archive,
}


def calls_close_due(*, now=None) -> int:
    """Close every open call whose closing second has passed. Safe to run concurrently:
    each call is locked and re-checked, so it is closed once."""
    now = now or timezone.now()
    closed = 0
    due = Call.objects.filter(state=Call.State.OPEN, closes_at__lt=now.replace(microsecond=0))
    for call_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            call = Call.objects.select_for_update().get(pk=call_id)
            if call.state != Call.State.OPEN or call.closes_at >= now.replace(microsecond=0):
                continue
            transition_perform(
                obj=call,
                name="close",
                actor=None,
                comment=_("Closed automatically at the deadline."),
                check_permission=False,
            )
            closed += 1
    return closed


# What a programme's managers may change once it exists. The rest (owner, currency, budget,
# period, time zone, funding grant) is set when the programme is started.
EDITABLE_PROGRAMME_FIELDS = {"reminder_offsets"}


# Questions define what a valid application is: they change only while the call is a draft.
# Criteria are for reviewers: they may change until review starts.
CRITERIA_EDITABLE_STATES = {Call.State.DRAFT, Call.State.OPEN, Call.State.CLOSED}


def _call_rule_errors(fields: dict) -> dict[str, list[str]]:
    """The rules of a call a database constraint alone would report badly, by field."""
    from grants.countries import COUNTRY_CODES
    from grants.models import OrganisationType

    errors: dict[str, list[str]] = {}
    opens_at, closes_at = fields.get("opens_at"), fields.get("closes_at")
    if opens_at and closes_at and closes_at <= opens_at:
        errors["closes_at"] = [_("The call must close after it opens.")]
    min_grant, max_grant = fields.get("min_grant"), fields.get("max_grant")
    if min_grant is not None and max_grant is not None and max_grant < min_grant:
        errors["max_grant"] = [_("The maximum grant cannot be below the minimum grant.")]
    budget = fields.get("budget")
    if budget is not None and min_grant is not None and min_grant > budget:
        errors["min_grant"] = [_("The minimum grant cannot exceed the call's budget.")]
    unknown = set(fields.get("eligible_countries") or []) - COUNTRY_CODES
    if unknown:
        errors["eligible_countries"] = [
            _("Unknown country codes: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
        ]
    unknown = set(fields.get("eligible_org_types") or []) - set(OrganisationType.values)
    if unknown:
        errors["eligible_org_types"] = [
            _("Unknown organisation types: %(types)s.") % {"types": ", ".join(sorted(unknown))}
        ]
    return errors


def _donor_rule_errors(programme: Programme, fields: dict) -> dict[str, list[str]]:
    """The rules of the donor's grant that funds the programme (the cascade) that these call
    fields would break: a call must not invite what the award would then have to refuse.
    Each message names the donor's grant and its rule."""
    parent = programme.parent_grant
    if parent is None:
        return {}
    errors: dict[str, list[str]] = {}
    values = {"grant": parent.title, "donor": str(parent.donor) if parent.donor_id else ""}
    max_grant = fields.get("max_grant")
    cap = parent.max_subgrant_amount
    if max_grant is not None and cap is not None and Decimal(max_grant) > cap:
        rule = _("at most %(max)s per sub-grant") % {"max": format_money(cap, programme.currency)}
        errors["max_grant"] = [
            _(
                "The donor's grant “%(grant)s” allows %(rule)s: the maximum grant cannot be above it."
            )
            % {**values, "rule": rule}
        ]
    own = fields.get("min_cofinancing_percent")
    floor = parent.min_cofinancing_percent
    if own is not None and floor is not None and Decimal(own) < floor:
        errors["min_cofinancing_percent"] = [
            _(
                "The donor's grant “%(grant)s” requires an own contribution of at least "
                "%(min)s %% of each sub-grant's total: the call cannot ask for less."
            )
            % {**values, "min": floor.normalize()}
        ]
    return errors


def call_create(*, programme: Programme, actor, **fields) -> Call:
    """A new call in a programme, as a draft. Only a manager of the programme may create it."""
    require(
        policies.can_manage_programme,
        user=actor,
        programme=programme,
        message=_("Only a manager of the programme can create calls."),
    )
    fields.pop("state", None)
    errors = _donor_rule_errors(programme, fields) | _call_rule_errors(fields)
    if errors:
        raise RuleViolation(errors)
    call = Call(programme=programme, **fields)
    model_validate(call, exclude=["state"])  # the protected FSM field changes only by transition
    call.save()
    return call


def _locked_call(call_id: int) -> Call:
    return Call.objects.select_for_update().get(pk=call_id)


def _require_questions_editable(call: Call, actor) -> None:
    require(
        policies.can_manage_call,
        user=actor,
        call=call,
        message=_("Only a manager of the programme can change its calls."),
    )
    if call.state != Call.State.DRAFT:
        raise TransitionConflict(
            _("The questions cannot change once the call is published: applicants are using them."),
            code="rules_frozen",
        )


def _require_criteria_editable(call: Call, actor) -> None:
    require(
        policies.can_manage_call,
        user=actor,
        call=call,
        message=_("Only a manager of the programme can change its calls."),
    )
    if call.state not in CRITERIA_EDITABLE_STATES:
        raise TransitionConflict(
            _("The scoring criteria cannot change once review has started."),
            code="criteria_frozen",
        )


def _question_errors(question: CallQuestion) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if question.kind == CallQuestion.Kind.CHOICE:
        question.choices = [str(c).strip() for c in question.choices or [] if str(c).strip()]
        if len(question.choices) < 2:
            errors["choices"] = [_("A choice question needs at least two options.")]
        elif len(set(question.choices)) != len(question.choices):
            errors["choices"] = [_("Each option must be different.")]
    else:
        question.choices = []
    if question.kind not in (CallQuestion.Kind.TEXT, CallQuestion.Kind.LONG_TEXT):
        question.max_length = None
    return errors


def _criterion_errors(criterion: Criterion) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if criterion.weight is not None and criterion.weight <= 0:
        errors["weight"] = [_("The weight must be above zero.")]
    if criterion.max_score is not None and criterion.max_score <= 0:
        errors["max_score"] = [_("The maximum score must be above zero.")]
    threshold = criterion.pass_threshold
    if threshold is not None and criterion.max_score is not None:
        if threshold < 0:
            errors["pass_threshold"] = [_("The pass threshold cannot be negative.")]
        elif threshold > criterion.max_score:
            errors["pass_threshold"] = [_("The pass threshold cannot exceed the maximum score.")]
    return errors


# A call's questions and its criteria are edited the same way: under the call's row lock, while
# the call allows it, checked by their own rules, numbered at the end.


@dataclass(frozen=True)
class _Part:
    model: type[CallQuestion] | type[Criterion]
    require_editable: Callable[[Call, object], None]
    errors: Callable[[CallQuestion | Criterion], dict[str, list[str]]]
    related_name: str


QUESTIONS = _Part(CallQuestion, _require_questions_editable, _question_errors, "questions")
CRITERIA = _Part(Criterion, _require_criteria_editable, _criterion_errors, "criteria")


def _checked_save(part: _Part, obj: CallQuestion | Criterion) -> None:
    errors = part.errors(obj)
    if errors:
        raise RuleViolation(errors)
    model_validate(obj)
    obj.save()


def _part_create(part: _Part, *, call: Call, actor, fields: dict):
    with transaction.atomic():
        call = _locked_call(call.pk)
        part.require_editable(call, actor)
        last = (
            getattr(call, part.related_name)
            .order_by("-order")
            .values_list("order", flat=True)
            .first()
        )
        obj = part.model(call=call, order=(last or 0) + 1, **fields)
        _checked_save(part, obj)
    return obj


def _part_update(part: _Part, *, obj, actor, fields: dict):
    with transaction.atomic():
        call = _locked_call(obj.call_id)
        part.require_editable(call, actor)
        obj = part.model.objects.get(pk=obj.pk)
        for name, value in fields.items():
            setattr(obj, name, value)
        _checked_save(part, obj)
    return obj


def _part_delete(part: _Part, *, obj, actor) -> None:
    with transaction.atomic():
        call = _locked_call(obj.call_id)
        part.require_editable(call, actor)
        part.model.objects.filter(pk=obj.pk).delete()


def call_question_create(*, call: Call, actor, **fields) -> CallQuestion:
    """Add a question at the end of the form, while the call is a draft."""
    return _part_create(QUESTIONS, call=call, actor=actor, fields=fields)


def call_question_update(*, question: CallQuestion, actor, **fields) -> CallQuestion:
    return _part_update(QUESTIONS, obj=question, actor=actor, fields=fields)


def call_question_delete(*, question: CallQuestion, actor) -> None:
    _part_delete(QUESTIONS, obj=question, actor=actor)


def call_criterion_create(*, call: Call, actor, **fields) -> Criterion:
    """Add a scoring criterion, until review starts."""
    return _part_create(CRITERIA, call=call, actor=actor, fields=fields)


def call_criterion_update(*, criterion: Criterion, actor, **fields) -> Criterion:
    return _part_update(CRITERIA, obj=criterion, actor=actor, fields=fields)


def call_criterion_delete(*, criterion: Criterion, actor) -> None:
    _part_delete(CRITERIA, obj=criterion, actor=actor)
