"""Forms of the programme manager's application pages: list filters, screening, clarification."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from grants.countries import COUNTRIES
from grants.forms.common import Form, LocalDateTimeField, local_to_utc, utc_to_local

STAFF_STATES = [
    (s, label) for s, label in Application.State.choices if s != Application.State.DRAFT
]


class ApplicationFilterForm(Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *STAFF_STATES]
    )
    country = forms.ChoiceField(
        label=_("Country"), required=False, choices=[("", _("All countries")), *COUNTRIES]
    )


class EligibleForm(Form):
    reason = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class IneligibleForm(Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The applicant sees this reason."),
        error_messages={"required": _("Say why the application is not eligible.")},
    )


class ClarificationForm(Form):
    question = forms.CharField(
        label=_("Question for the applicant"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the question for the applicant.")},
    )
    response_due_at = LocalDateTimeField(label=_("Response deadline"))

    def __init__(self, *args, zone: str, **kwargs):
        self.zone = zone
        super().__init__(*args, **kwargs)
        self.fields["response_due_at"].help_text = _("In the call's time zone, %(zone)s.") % {
            "zone": zone
        }
        if not self.is_bound:
            # A week from today, at the end of the day where the call runs.
            local_now = utc_to_local(timezone.now(), zone)
            self.initial.setdefault(
                "response_due_at",
                dt.datetime.combine(local_now.date() + dt.timedelta(days=7), dt.time(23, 59, 59)),
            )

    def clean_response_due_at(self):
        value = local_to_utc(self.cleaned_data["response_due_at"], self.zone)
        if value <= timezone.now():
            raise ValidationError(_("The response deadline must be in the future."))
        return value
