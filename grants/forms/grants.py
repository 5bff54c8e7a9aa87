"""Forms of the manager's grant pages. They only parse and present; services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.countries import CURRENCIES
from grants.forms.common import Form
from grants.models import Donor, Grant, Organisation, ReportComment
from grants.selectors.cascade import DONOR_EXPORT_FORMATS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FOLLOW_UP_ROWS = 3


class PortfolioFilterForm(Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *Grant.State.choices]
    )
    overdue = forms.BooleanField(label=_("Only with overdue reports"), required=False)


class TranchePayForm(Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE_WIDGET)
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text=_("Empty: the tranche's amount."),
    )
    reference = forms.CharField(label=_("Payment reference"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("paid_on", timezone.localdate())


class CommentForm(Form):
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class GrantTransitionForm(Form):
    comment = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to suspend or terminate; the grantee reads it in the history."),
    )


class ReportChangesForm(Form):
    """A comment per section; the grantee sees each next to the section it is about."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for section, label in ReportComment.Section.choices:
            self.fields[section] = forms.CharField(
                label=label,
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self):
        data = super().clean()
        if not any((data.get(s) or "").strip() for s in ReportComment.Section.values):
            raise ValidationError(_("Say what needs to change in at least one section."))
        return data

    def comments(self) -> dict[str, str]:
        return {s: self.cleaned_data.get(s) or "" for s in ReportComment.Section.values}


class AmendmentDecideForm(Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when rejecting; the grantee sees it."),
    )


class VisitForm(Form):
    visited_on = forms.DateField(label=_("Date of the visit"), widget=DATE_WIDGET)
    visitors = forms.CharField(label=_("Who visited"), max_length=300)
    findings = forms.CharField(
        label=_("Findings"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, FOLLOW_UP_ROWS + 1):
            self.fields[f"action_{i}"] = forms.CharField(
                label=_("Follow-up action %(n)s") % {"n": i}, required=False, max_length=2000
            )
            self.fields[f"action_{i}_due"] = forms.DateField(
                label=_("Due by"), required=False, widget=DATE_WIDGET
            )

    def clean(self):
        data = super().clean()
        for i in range(1, FOLLOW_UP_ROWS + 1):
            if (data.get(f"action_{i}") or "").strip() and not data.get(f"action_{i}_due"):
                self.add_error(f"action_{i}_due", _("Give the action a due date."))
        return data

    def actions(self) -> list[dict]:
        return [
            {
                "description": self.cleaned_data[f"action_{i}"].strip(),
                "due_date": self.cleaned_data[f"action_{i}_due"],
            }
            for i in range(1, FOLLOW_UP_ROWS + 1)
            if (self.cleaned_data.get(f"action_{i}") or "").strip()
        ]

    def action_rows(self) -> list[tuple]:
        return [
            (self[f"action_{i}"], self[f"action_{i}_due"]) for i in range(1, FOLLOW_UP_ROWS + 1)
        ]


class FollowUpCloseForm(Form):
    note = forms.CharField(label=_("Closing note"), required=False, max_length=4000)


class ExchangeRateForm(Form):
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES)
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    rate = forms.DecimalField(
        label=_("Rate"),
        max_digits=14,
        decimal_places=6,
        min_value=Decimal("0.000001"),
        help_text=_("Units of this currency for one unit of the programme's currency."),
    )


class DonorExportForm(Form):
    start = forms.DateField(label=_("From"), widget=DATE_WIDGET)
    end = forms.DateField(label=_("To"), widget=DATE_WIDGET)
    format = forms.ChoiceField(
        label=_("Format"),
        choices=list(DONOR_EXPORT_FORMATS.items()),
        widget=forms.RadioSelect,
        initial="xlsx",
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The period ends before it starts."))
        return data


def default_period(programme) -> dict:
    """The programme's period up to today."""
    return {
        "start": programme.start_date,
        "end": min(programme.end_date, timezone.localdate()),
        "format": "xlsx",
    }


class IncomingGrantForm(Form):
    """The donor's grant to the lead organisation and the donor's rules for sub-grants.
    Only types here: grants.services.grants.incoming_grant_create/update check the rules."""

    organisation = forms.ModelChoiceField(
        label=_("Recipient organisation"), queryset=Organisation.objects.none(), empty_label=None
    )
    donor = forms.ModelChoiceField(label=_("Donor"), queryset=Donor.objects.all(), required=False)
    title = forms.CharField(label=_("Title"), max_length=255)
    reference = forms.CharField(
        label=_("Donor's reference"),
        max_length=64,
        required=False,
        help_text=_("E.g. the contract number."),
    )
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="EUR")
    start_date = forms.DateField(label=_("Start"), widget=DATE_WIDGET)
    end_date = forms.DateField(label=_("End"), widget=DATE_WIDGET)
    max_subgrant_amount = forms.DecimalField(
        label=_("Maximum per sub-grant"),
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=_("Empty: no maximum. Sub-grant awards above it are refused."),
    )
    min_cofinancing_percent = forms.DecimalField(
        label=_("Sub-grant co-financing at least (%)"),
        max_digits=5,
        decimal_places=2,
        required=False,
    )
    max_cofinancing_percent = forms.DecimalField(
        label=_("Sub-grant co-financing at most (%)"),
        max_digits=5,
        decimal_places=2,
        required=False,
    )
    reporting_period_months = forms.IntegerField(
        label=_("Reporting to the donor every (months)"),
        required=False,
        min_value=0,
        max_value=120,
    )

    def __init__(self, *args, organisations=None, **kwargs):
        """`organisations`: where the grant may be received (creating); None when editing,
        as the recipient does not change."""
        super().__init__(*args, **kwargs)
        if organisations is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = organisations


def incoming_grant_initial(grant: Grant) -> dict:
    from grants.services.grants import INCOMING_GRANT_FIELDS

    return {name: getattr(grant, name) for name in INCOMING_GRANT_FIELDS}


class ReportScheduleForm(Form):
    """A report's period and due date: to move a report, or to add an interim one."""

    period_start = forms.DateField(label=_("Period from"), widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("Period to"), widget=DATE_WIDGET)
    due_date = forms.DateField(label=_("Due by"), widget=DATE_WIDGET)
