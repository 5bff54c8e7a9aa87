"""Forms of the programme pages: a new or changed programme, its reminder offsets."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.timezones import timezone_choices
from grants.countries import CURRENCIES
from grants.forms.common import Form, RemindersMixin, programme_reminder_source
from grants.models import Donor, Grant, Organisation, Programme
from workflows import offsets


class ProgrammeForm(RemindersMixin, Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    owner = forms.ModelChoiceField(
        label=_("Owner organisation"), queryset=Organisation.objects.none(), empty_label=None
    )
    donors = forms.ModelMultipleChoiceField(
        label=_("Donors"),
        queryset=Donor.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="EUR")
    budget = forms.DecimalField(
        label=_("Total budget"), max_digits=14, decimal_places=2, min_value=Decimal("0")
    )
    start_date = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("End"), widget=forms.DateInput(attrs={"type": "date"}))
    timezone = forms.ChoiceField(
        label=_("Time zone"), choices=timezone_choices, initial="Europe/Belgrade"
    )
    parent_grant = forms.ModelChoiceField(
        label=_("Funded by grant"),
        queryset=Grant.objects.none(),
        required=False,
        help_text=_("The grant your organisation received that funds this programme, if any."),
    )

    reminder_kinds = offsets.PROGRAMME_KINDS

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = organisations
        self.fields["parent_grant"].queryset = Grant.objects.filter(
            organisation__in=organisations
        ).select_related("organisation")
        self.add_reminder_fields(configured={}, inherited=programme_reminder_source)

    def clean(self):
        data = self.clean_reminders(super().clean())
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The programme cannot end before it starts."))
        grant, owner = data.get("parent_grant"), data.get("owner")
        if grant and owner and grant.organisation_id != owner.pk:
            self.add_error("parent_grant", _("Choose a grant received by the owner organisation."))
        return data


class ProgrammeRemindersForm(RemindersMixin, Form):
    """When an existing programme's deadline reminders go (its calls may change them)."""

    reminder_kinds = offsets.PROGRAMME_KINDS

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_reminder_fields(
            configured=programme.reminder_offsets, inherited=programme_reminder_source
        )

    def clean(self):
        return self.clean_reminders(super().clean())
