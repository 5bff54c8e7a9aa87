"""Forms of the call pages: the call (its times typed in the call's zone), its questions and its
criteria. Forms only parse and present; services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.timezones import timezone_choices
from grants.forms.common import (
    COUNTRY_CHOICES,
    COUNTRY_ORDER,
    FROZEN_REASON,
    ORG_TYPE_ORDER,
    Form,
    LocalDateTimeField,
    RemindersMixin,
    local_to_utc,
    utc_to_local,
)
from grants.models import Call, CallQuestion, OrganisationType, Programme
from grants.services.calls import FROZEN_CALL_FIELDS
from workflows import offsets


class CallForm(RemindersMixin, Form):
    """Create or edit a call. For a published call the frozen fields are shown disabled, with
    the reason; `call_update` is what refuses changing them. The reminders are not frozen."""

    reminder_kinds = offsets.CALL_KINDS

    title = forms.CharField(label=_("Title"), max_length=255)
    reference_prefix = forms.CharField(
        label=_("Reference prefix"),
        max_length=20,
        required=False,
        help_text=_("Starts every application reference, e.g. SHB-NAT-RS."),
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=400,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One or two sentences for the list of calls."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=Call.Scope.choices)
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=timezone_choices,
        initial="Europe/Belgrade",
        help_text=_("Opening and closing times are entered and shown in this time zone."),
    )
    opens_at = LocalDateTimeField(label=_("Opens at"))
    closes_at = LocalDateTimeField(
        label=_("Closes at"),
        help_text=_("The last second at which a submission is accepted, e.g. 23:59:59."),
    )
    budget = forms.DecimalField(
        label=_("Budget"), max_digits=14, decimal_places=2, min_value=Decimal("0")
    )
    min_grant = forms.DecimalField(
        label=_("Minimum grant"), max_digits=14, decimal_places=2, min_value=Decimal("0")
    )
    max_grant = forms.DecimalField(
        label=_("Maximum grant"), max_digits=14, decimal_places=2, min_value=Decimal("0")
    )
    min_cofinancing_percent = forms.DecimalField(
        # xgettext:no-python-format
        label=_("Minimum own contribution (% of total)"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        initial=Decimal("0"),
    )
    eligible_countries = forms.MultipleChoiceField(
        label=_("Eligible countries"),
        choices=COUNTRY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None selected: any country."),
    )
    eligible_org_types = forms.MultipleChoiceField(
        label=_("Eligible organisation types"),
        choices=OrganisationType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None selected: any type."),
    )
    reviewers_per_application = forms.IntegerField(
        label=_("Reviewers per application"), min_value=1, max_value=10, initial=2
    )

    def __init__(
        self,
        *args,
        currency: str,
        call: Call | None = None,
        programme: Programme | None = None,
        **kwargs,
    ):
        self.call = call
        if call is not None:
            kwargs.setdefault("initial", call_initial(call))
            programme = call.programme
        super().__init__(*args, **kwargs)
        programme_offsets = (programme.reminder_offsets if programme else None) or {}

        def inherited(kind: str):
            if programme_offsets.get(kind):
                return programme_offsets[kind], _("the programme's")
            return offsets.DEFAULTS[kind], _("the default")

        self.add_reminder_fields(
            configured=call.reminder_offsets if call else {}, inherited=inherited
        )
        for name in ("budget", "min_grant", "max_grant"):
            self.fields[name].label = f"{self.fields[name].label} ({currency})"
        if call is not None:
            zone_note = _("In the call's time zone, %(zone)s.") % {"zone": call.timezone}
            for name in ("opens_at", "closes_at"):
                self.fields[name].help_text = f"{self.fields[name].help_text} {zone_note}".strip()
        self.frozen: dict[str, str] = {}
        if call is not None and call.rules_frozen:
            self.frozen = {
                name: FROZEN_REASON for name in FROZEN_CALL_FIELDS if name in self.fields
            }
            if call.state != Call.State.OPEN:
                self.frozen["closes_at"] = _("Only an open call can be extended.")
            self.fields["budget"].help_text = _("A published call's budget can grow, not shrink.")
        for name, reason in self.frozen.items():
            self.fields[name].disabled = True
            self.fields[name].help_text = reason
        if call is not None and call.state == Call.State.OPEN:
            self.fields["closes_at"].help_text = _(
                "A published call can be extended, not shortened. In the call's time zone, "
                "%(zone)s."
            ) % {"zone": call.timezone}

    def clean(self):
        data = self.clean_reminders(super().clean())
        for name in self.frozen:
            key = self.add_prefix(name)
            if key not in self.data:
                data[name] = getattr(self.call, name)
                continue
            # A browser never sends a disabled field. A request that does is passed on, so
            # call_update refuses the change out loud instead of it being dropped silently.
            field = self.fields[name]
            try:
                data[name] = field.clean(
                    field.widget.value_from_datadict(self.data, self.files, key)
                )
            except ValidationError as exc:
                self.add_error(name, exc)
        zone = data.get("timezone")
        for name in ("opens_at", "closes_at"):
            value = data.get(name)
            if value is not None and timezone.is_naive(value) and zone:
                try:
                    data[name] = local_to_utc(value, zone)
                except ValidationError as exc:
                    self.add_error(name, exc)
        data["eligible_countries"] = sorted(
            data.get("eligible_countries") or [], key=COUNTRY_ORDER.get
        )
        data["eligible_org_types"] = sorted(
            data.get("eligible_org_types") or [], key=ORG_TYPE_ORDER.get
        )
        return data

    def changed_fields(self) -> dict:
        """What differs from the call (everything, for a new call)."""
        if self.call is None:
            return dict(self.cleaned_data)
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if value != getattr(self.call, name)
        }


def call_initial(call: Call) -> dict:
    initial = {name: getattr(call, name) for name in CallForm.base_fields}
    initial["opens_at"] = utc_to_local(call.opens_at, call.timezone)
    initial["closes_at"] = utc_to_local(call.closes_at, call.timezone)
    return initial


class QuestionForm(Form):
    label = forms.CharField(label=_("Question"), max_length=300)
    help_text = forms.CharField(
        label=_("Help text"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=CallQuestion.Kind.choices)
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)
    max_length = forms.IntegerField(
        label=_("Maximum length (characters)"),
        required=False,
        min_value=1,
        max_value=100_000,
        help_text=_("For short and long text answers."),
    )
    choices = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For choice questions: one option per line."),
    )

    def __init__(self, *args, question: CallQuestion | None = None, **kwargs):
        if question is not None:
            kwargs.setdefault(
                "initial",
                {
                    "label": question.label,
                    "help_text": question.help_text,
                    "kind": question.kind,
                    "required": question.required,
                    "max_length": question.max_length,
                    "choices": "\n".join(question.choices or []),
                },
            )
        super().__init__(*args, **kwargs)

    def clean_choices(self) -> list[str]:
        lines = self.cleaned_data.get("choices") or ""
        return [line.strip() for line in lines.splitlines() if line.strip()]


class CriterionForm(Form):
    title = forms.CharField(label=_("Criterion"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What reviewers look for."),
    )
    weight = forms.DecimalField(
        label=_("Weight"), max_digits=6, decimal_places=2, min_value=Decimal("0.01"), initial=1
    )
    max_score = forms.DecimalField(
        label=_("Maximum score"),
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
        initial=5,
    )
    pass_threshold = forms.DecimalField(
        label=_("Pass threshold"),
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        help_text=_("The lowest acceptable score; empty for none."),
    )

    def __init__(self, *args, criterion=None, **kwargs):
        if criterion is not None:
            kwargs.setdefault(
                "initial",
                {
                    name: getattr(criterion, name)
                    for name in ("title", "description", "weight", "max_score", "pass_threshold")
                },
            )
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        threshold, max_score = data.get("pass_threshold"), data.get("max_score")
        if threshold is not None and max_score is not None and threshold > max_score:
            self.add_error(
                "pass_threshold", _("The pass threshold cannot exceed the maximum score.")
            )
        return data
