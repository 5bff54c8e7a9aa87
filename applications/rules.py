"""The call's rules, checked against an application. Pure reads: one function lists every
problem at once (used by submit), another presents the same checks as a screening checklist."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from applications.models import Application, budget_totals
from grants.models import CallQuestion, OrganisationType
from grants.templatetags.money import format_money, plain


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    passed: bool
    detail: str


def answer_problem(question: CallQuestion, value: str, has_file: bool) -> str | None:
    """What is wrong with one answer, or None."""
    value = (value or "").strip()
    if question.kind == CallQuestion.Kind.FILE:
        if question.required and not has_file:
            return _("Attach a file for “%(q)s”.") % {"q": question.label}
        return None
    if not value:
        if question.required:
            return _("Answer “%(q)s”.") % {"q": question.label}
        return None
    if question.max_length and len(value) > question.max_length:
        return _("“%(q)s” is %(n)d characters long; the limit is %(max)d.") % {
            "q": question.label,
            "n": len(value),
            "max": question.max_length,
        }
    if question.kind == CallQuestion.Kind.NUMBER:
        try:
            Decimal(value)
        except InvalidOperation:
            return _("“%(q)s” must be a number.") % {"q": question.label}
    if question.kind == CallQuestion.Kind.DATE:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return _("“%(q)s” must be a date (YYYY-MM-DD).") % {"q": question.label}
    if question.kind == CallQuestion.Kind.CHOICE and value not in question.choices:
        return _("“%(q)s”: choose one of the options.") % {"q": question.label}
    return None


def eligibility_checks(application: Application) -> list[Check]:
    """Every rule of the call, evaluated. Expects answers, budget lines, attachments and
    partners prefetched for lists; works without."""
    call = application.call
    org = application.organisation
    currency = call.programme.currency
    checks: list[Check] = []

    countries = call.eligible_countries
    checks.append(
        Check(
            "country",
            _("Eligible country"),
            not countries or org.country in countries,
            _("Registered in %(c)s; the call accepts %(list)s.")
            % {"c": org.get_country_display(), "list": ", ".join(countries) or _("any country")},
        )
    )
    types = call.eligible_org_types
    type_labels = dict(OrganisationType.choices)
    checks.append(
        Check(
            "org_type",
            _("Eligible organisation type"),
            not types or org.org_type in types,
            _("%(t)s; the call accepts %(list)s.")
            % {
                "t": org.get_org_type_display(),
                "list": ", ".join(str(type_labels.get(t, t)) for t in types) or _("any type"),
            },
        )
    )

    lines = list(application.budget_lines.all())
    totals = budget_totals(lines)
    requested = totals["requested"]
    checks.append(
        Check(
            "budget_lines",
            _("Budget"),
            bool(lines),
            _("%(n)d budget lines.") % {"n": len(lines)}
            if lines
            else _("Add at least one budget line."),
        )
    )
    checks.append(
        Check(
            "amount",
            _("Requested amount within limits"),
            call.min_grant <= requested <= call.max_grant,
            _("Requested %(r)s; the call allows %(min)s to %(max)s.")
            % {
                "r": format_money(requested, currency),
                "min": format_money(call.min_grant, currency),
                "max": format_money(call.max_grant, currency),
            },
        )
    )
    # Compared exactly (own × 100 ≥ minimum % × total), never on a rounded percentage.
    cofinancing_ok = totals["own"] * 100 >= call.min_cofinancing_percent * totals["total"]
    checks.append(
        Check(
            "cofinancing",
            _("Co-financing"),
            cofinancing_ok and (totals["total"] > 0 or call.min_cofinancing_percent == 0),
            _(
                "Own contribution %(own)s is %(p)s%% of the total %(t)s; the call requires %(min)s%%."
            )
            % {
                "own": format_money(totals["own"], currency),
                "p": totals["cofinancing_percent"],
                "t": format_money(totals["total"], currency),
                "min": plain(call.min_cofinancing_percent),
            },
        )
    )

    answers = {a.question_id: a.value for a in application.answers.all()}
    files_for = {a.question_id for a in application.attachments.all() if a.question_id}
    question_problems = []
    document_problems = []
    for question in call.questions.all():
        problem = answer_problem(question, answers.get(question.pk, ""), question.pk in files_for)
        if problem:
            if question.kind == CallQuestion.Kind.FILE:
                document_problems.append(problem)
            else:
                question_problems.append(problem)
    checks.append(
        Check(
            "questions",
            _("Questions answered"),
            not question_problems,
            " ".join(question_problems) or _("All required questions are answered."),
        )
    )
    checks.append(
        Check(
            "documents",
            _("Required documents"),
            not document_problems,
            " ".join(document_problems) or _("All required documents are attached."),
        )
    )
    return checks


def submission_problems(application: Application) -> dict[str, list[str]]:
    """Every reason the application cannot be submitted, keyed by check; empty when it can."""
    problems: dict[str, list[str]] = {}
    if not application.title.strip():
        problems["title"] = [_("Give the project a title.")]
    for check in eligibility_checks(application):
        if not check.passed:
            problems.setdefault(check.key, []).append(check.detail)
    return problems
