"""Forms of the grantee's pages: the report as posted, amendments, follow-up actions and the
signed copy of the agreement. Rules live in the services; these only read what was posted."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from grants.models import Amendment, GrantBudgetLine, Indicator
from grants.uploads import inspect_upload
from workflows.exceptions import RuleViolation


@dataclass
class ReportInput:
    """What the report editor posted: answers by question, spending by budget line id and
    indicator values by indicator id, all as typed (the service checks them)."""

    narrative: dict[str, str] = field(default_factory=dict)
    spending: dict[int, str] = field(default_factory=dict)
    indicators: dict[int, str] = field(default_factory=dict)
    currency: str | None = None


def report_input_from_post(
    data: QueryDict,
    *,
    questions: list[str],
    lines: list[GrantBudgetLine],
    indicators: list[Indicator],
) -> ReportInput:
    """Only the fields of this report's questions, lines and indicators are read; a field
    missing from the post is left as it is in the database."""
    posted = ReportInput()
    for i, question in enumerate(questions):
        if f"q-{i}" in data:
            posted.narrative[question] = data[f"q-{i}"].strip()
    for line in lines:
        if f"spent-{line.pk}" in data:
            posted.spending[line.pk] = data[f"spent-{line.pk}"].strip().replace(",", "")
    for indicator in indicators:
        if f"ind-{indicator.pk}" in data:
            posted.indicators[indicator.pk] = data[f"ind-{indicator.pk}"].strip()
    if data.get("currency"):
        posted.currency = data["currency"].strip()
    return posted


class AmendmentForm(forms.Form):
    """One form for the three kinds; only the fields of the chosen kind are used."""

    kind = forms.ChoiceField(
        label=_("What should change?"), choices=Amendment.Kind.choices, widget=forms.RadioSelect
    )
    justification = forms.CharField(
        label=_("Why is the change needed?"), widget=forms.Textarea(attrs={"rows": 4})
    )
    end_date = forms.DateField(
        label=_("New end date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=_("The change of activities"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, lines: list[GrantBudgetLine], **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            self.fields[f"line-{line.pk}"] = forms.DecimalField(
                label=line.description,
                required=False,
                min_value=0,
                decimal_places=2,
                max_digits=14,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "amount"}),
            )
            self.initial.setdefault(f"line-{line.pk}", line.amount)

    def line_fields(self):
        return [(line, self[f"line-{line.pk}"]) for line in self.lines]

    def changes(self) -> dict:
        data = self.cleaned_data
        kind = data.get("kind")
        if kind == Amendment.Kind.BUDGET:
            return {
                "lines": {
                    str(line.pk): str(data[f"line-{line.pk}"])
                    for line in self.lines
                    if data.get(f"line-{line.pk}") is not None
                }
            }
        if kind == Amendment.Kind.EXTENSION:
            return {"end_date": data["end_date"].isoformat() if data.get("end_date") else ""}
        return {"description": (data.get("description") or "").strip()}

    def add_rule_errors(self, exc: RuleViolation) -> None:
        """The service's errors at the fields they concern."""
        kind = self.cleaned_data.get("kind")
        target = {
            Amendment.Kind.EXTENSION: "end_date",
            Amendment.Kind.ACTIVITIES: "description",
        }.get(kind)
        for key, problems in exc.errors.items():
            name = key if key in self.fields else None
            if key == "changes":
                name = target
            for problem in problems:
                self.add_error(name, problem)


class FollowUpCloseForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SignedCopyForm(forms.Form):
    signed_copy = forms.FileField(label=_("The signed agreement (PDF)"))

    def clean_signed_copy(self):
        upload = self.cleaned_data["signed_copy"]
        try:
            kind = inspect_upload(upload, max_bytes=settings.ATTACHMENT_MAX_BYTES)
        except RuleViolation as exc:
            raise forms.ValidationError(exc.messages) from None
        if kind != "application/pdf":
            raise forms.ValidationError(_("Upload the signed agreement as a PDF."))
        return upload
