"""Forms of the programme manager's pages. They only parse and present; services decide.

Datetimes are typed in the call's time zone (a wall-clock time, as a manager thinks of a
deadline) and converted to UTC here, refusing the times a daylight-saving change makes
ambiguous or non-existent instead of guessing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from grants.countries import COUNTRIES, CURRENCIES, WESTERN_BALKANS
from grants.models import (
    Call,
    CallQuestion,
    Donor,
    Grant,
    Organisation,
    OrganisationType,
    Programme,
)
from grants.services import FROZEN_CALL_FIELDS
from workflows import offsets

# The zones of the region first; Kosovo uses Europe/Belgrade in the tz database.
REGION_ZONES = [
    "Europe/Belgrade",
    "Europe/Sarajevo",
    "Europe/Podgorica",
    "Europe/Skopje",
    "Europe/Tirane",
    "Europe/Zagreb",
    "Europe/Ljubljana",
    "Europe/Brussels",
    "Europe/Zurich",
    "UTC",
]


def timezone_choices() -> list:
    others = sorted(available_timezones() - set(REGION_ZONES))
    return [
        (_("Region"), [(z, z) for z in REGION_ZONES]),
        (_("All time zones"), [(z, z) for z in others]),
    ]


def local_to_utc(value: dt.datetime, zone_name: str) -> dt.datetime:
    """A wall-clock time in `zone_name` as a UTC datetime.

    Refuses a time the clocks skip (spring forward) or pass twice (fall back): for a deadline
    the difference is an hour, and guessing which one the manager meant is not our call.
    """
    zone = ZoneInfo(zone_name)
    value = value.replace(tzinfo=None, microsecond=0)
    first, second = value.replace(tzinfo=zone, fold=0), value.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        shown = value.strftime("%d %b %Y %H:%M")
        round_trip = first.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
        if round_trip != value:
            raise ValidationError(
                _(
                    "%(time)s does not exist in %(zone)s: the clocks move forward that night. "
                    "Choose another time."
                ),
                params={"time": shown, "zone": zone_name},
                code="nonexistent",
            )
        raise ValidationError(
            _(
                "%(time)s happens twice in %(zone)s: the clocks move back that night. "
                "Choose another time."
            ),
            params={"time": shown, "zone": zone_name},
            code="ambiguous",
        )
    return first.astimezone(dt.UTC)


def utc_to_local(value: dt.datetime | None, zone_name: str) -> dt.datetime | None:
    """The wall-clock time (naive) of an aware datetime in `zone_name`, for a form's initial."""
    if value is None:
        return None
    return timezone.localtime(value, ZoneInfo(zone_name)).replace(tzinfo=None)


class LocalDateTimeField(forms.Field):
    """A `datetime-local` input, to the second. Cleans to a *naive* wall-clock time: the form
    knows the time zone and converts it with `local_to_utc`."""

    widget = forms.DateTimeInput(
        attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S"
    )
    default_error_messages = {"invalid": _("Enter a date and time, e.g. 2027-03-31 23:59:59.")}
    input_formats = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None, microsecond=0)
        for fmt in self.input_formats:
            try:
                return dt.datetime.strptime(str(value).strip(), fmt)
            except ValueError:
                continue
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class Form(forms.Form):
    """The manager's forms: labels sit above their fields, without a trailing colon."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


# Deadline reminders -------------------------------------------------------------------

REMINDER_PREFIX = "reminder_"


class OffsetsField(forms.CharField):
    """Reminder offsets as people write them, "-7, -1, +3 manager"; cleans to the parsed
    ((days, audience), ...), sorted — () when empty, which means "inherited"."""

    def to_python(self, value):
        text = super().to_python(value)
        return offsets.parse(text) if text else ()

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return offsets.format_offsets(value)
        return value


class RemindersMixin:
    """One text field per deadline kind ("reminder_<kind>"), folded by `clean_reminders`
    into cleaned_data["reminder_offsets"]: {kind: [[days, audience], ...]}, without the kinds
    left empty. The placeholder shows what an empty field inherits."""

    reminder_kinds: tuple[str, ...] = ()
    reminder_max_days = offsets.MAX_DAYS

    def add_reminder_fields(self, *, configured, inherited) -> None:
        """`configured`: the holder's mapping (for the initial values); `inherited(kind)`:
        (offsets, where they come from) when the field is left empty."""
        for kind in self.reminder_kinds:
            name = REMINDER_PREFIX + kind
            shown, source = inherited(kind)
            shown = offsets.format_offsets(shown)
            self.fields[name] = OffsetsField(
                label=offsets.LABELS[kind],
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"placeholder": shown, "autocomplete": "off"}),
                # Django renders help texts unescaped.
                help_text=escape(
                    _("Leave empty to use %(source)s: %(offsets)s.")
                    % {"source": source, "offsets": shown}
                ),
            )
            if (configured or {}).get(kind):
                self.initial.setdefault(name, offsets.format_offsets(configured[kind]))

    @property
    def reminder_fields(self) -> list:
        return [self[REMINDER_PREFIX + kind] for kind in self.reminder_kinds]

    @property
    def other_fields(self) -> list:
        return [field for field in self if not field.name.startswith(REMINDER_PREFIX)]

    def clean_reminders(self, data: dict) -> dict:
        mapping = {}
        for kind in self.reminder_kinds:
            parsed = data.pop(REMINDER_PREFIX + kind, None)
            if parsed:
                mapping[kind] = [list(item) for item in parsed]
        data["reminder_offsets"] = mapping
        return data


def programme_reminder_source(kind: str):
    return offsets.DEFAULTS[kind], _("the default")


# Programmes --------------------------------------------------------------------------


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


# Calls -------------------------------------------------------------------------------

COUNTRY_CHOICES = [
    (_("Western Balkans"), [(c, n) for c, n in COUNTRIES if c in WESTERN_BALKANS]),
    (_("Other countries"), [(c, n) for c, n in COUNTRIES if c not in WESTERN_BALKANS]),
]
COUNTRY_ORDER = {code: index for index, (code, _name) in enumerate(COUNTRIES)}
ORG_TYPE_ORDER = {code: index for index, code in enumerate(OrganisationType.values)}

FROZEN_REASON = _("Fixed once the call is published: applicants are drafting against it.")


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


class TransitionForm(Form):
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
