"""Forms of the applicant pages.

The application editor is not a Django Form: its fields come from the call (one per question)
and its budget rows are added and removed in the browser. `Draft` holds what the editor shows —
from the database, or from a POST that could not be saved — so a refused save re-renders exactly
what the user typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from accounts.forms import PlainLabels
from applications.models import Application, BudgetLine
from grants.countries import COUNTRIES
from grants.models import Organisation, OrganisationType

BUDGET_FIELDS = ("category", "description", "amount_requested", "own_contribution")
BUDGET_KEY = re.compile(
    r"^budget-(\d{1,4})-(category|description|amount_requested|own_contribution)$"
)
ANSWER_KEY = re.compile(r"^q-(\d{1,9})$")
BUDGET_ERROR_KEY = re.compile(r"^budget_lines\[(\d+)\]\.(\w+)$")


def _plain(amount: Decimal) -> str:
    """An amount as the editor shows it: no grouping, so it can be typed back."""
    return f"{amount:.2f}"


@dataclass
class BudgetRow:
    index: int
    category: str = ""
    description: str = ""
    amount_requested: str = ""
    own_contribution: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def total_display(self) -> str:
        """The row's total as the editor shows it; an amount that does not parse counts 0."""
        total = Decimal("0")
        for value in (self.amount_requested, self.own_contribution):
            try:
                amount = Decimal(value or "0")
            except InvalidOperation:
                continue
            if amount.is_finite() and amount >= 0:
                total += amount
        return f"{total:,.2f}"

    def as_line(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in BUDGET_FIELDS}


@dataclass
class Draft:
    title: str = ""
    answers: dict[int, str] = field(default_factory=dict)
    rows: list[BudgetRow] = field(default_factory=list)
    has_title: bool = True
    has_budget: bool = True
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def next_index(self) -> int:
        return max((row.index for row in self.rows), default=-1) + 1

    def update_kwargs(self) -> dict:
        """Keyword arguments for applications.services.application_update."""
        kwargs: dict = {}
        if self.has_title:
            kwargs["title"] = self.title
        if self.answers:
            kwargs["answers"] = self.answers
        if self.has_budget:
            kwargs["budget_lines"] = [row.as_line() for row in self.rows]
        return kwargs

    def add_errors(self, errors: dict[str, list[str]]) -> None:
        """Attach a RuleViolation's errors: budget ones to their row, the rest by key."""
        for key, messages in errors.items():
            match = BUDGET_ERROR_KEY.match(key)
            if match and int(match[1]) < len(self.rows):
                self.rows[int(match[1])].errors.setdefault(match[2], []).extend(messages)
            else:
                self.errors.setdefault(key, []).extend(messages)

    def messages_for_status(self) -> list[str]:
        """Every error as one line of text, budget rows numbered as on screen."""
        lines = [m for ms in self.errors.values() for m in ms]
        for number, row in enumerate(self.rows, start=1):
            for messages in row.errors.values():
                lines.extend(
                    _("Budget line %(n)d: %(m)s") % {"n": number, "m": m} for m in messages
                )
        return lines


def draft_from_application(application: Application) -> Draft:
    return Draft(
        title=application.title,
        answers={a.question_id: a.value for a in application.answers.all()},
        rows=[
            BudgetRow(
                index=i,
                category=line.category,
                description=line.description,
                amount_requested=_plain(line.amount_requested),
                own_contribution=_plain(line.own_contribution),
            )
            for i, line in enumerate(application.budget_lines.all())
        ],
    )


def draft_from_post(data: QueryDict) -> Draft:
    """What the editor posted. Budget rows keep the browser's order (their index), and
    only fields present are changed, so a partial post never wipes the rest."""
    answers = {}
    rows: dict[int, BudgetRow] = {}
    for key in data:
        if match := ANSWER_KEY.match(key):
            answers[int(match[1])] = data.get(key, "")
        elif match := BUDGET_KEY.match(key):
            row = rows.setdefault(int(match[1]), BudgetRow(index=int(match[1])))
            setattr(row, match[2], data.get(key, "").strip())
    return Draft(
        title=data.get("title", ""),
        answers=answers,
        rows=[rows[i] for i in sorted(rows)],
        has_title="title" in data,
        has_budget="budget" in data,
    )


class ApplyForm(PlainLabels, forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Applying organisation"), queryset=Organisation.objects.none(), empty_label=None
    )
    title = forms.CharField(
        label=_("Project title"),
        max_length=255,
        help_text=_("A working title; you can change it until you submit."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class PartnerExistingForm(PlainLabels, forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.all(),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose an organisation from the search results.")},
    )
    role = forms.CharField(label=_("Role in the project"), max_length=300, required=False)


class PartnerNewForm(PlainLabels, forms.Form):
    legal_name = forms.CharField(label=_("Legal name"), max_length=255)
    country = forms.ChoiceField(label=_("Country"), choices=[("", "—"), *COUNTRIES])
    org_type = forms.ChoiceField(label=_("Type"), choices=[("", "—"), *OrganisationType.choices])
    role = forms.CharField(label=_("Role in the project"), max_length=300, required=False)


class ClarificationAnswerForm(PlainLabels, forms.Form):
    answer = forms.CharField(
        label=_("Your answer"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20_000,
        help_text=_("Sending the answer resubmits the application."),
    )


class WithdrawForm(PlainLabels, forms.Form):
    comment = forms.CharField(
        label=_("Reason (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


BUDGET_CATEGORIES = BudgetLine.Category.choices
