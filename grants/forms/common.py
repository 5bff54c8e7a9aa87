"""What the grants forms share: time-zone fields (a wall-clock time in the call's zone, converted
to UTC here, refusing the times a daylight-saving change skips or repeats), reminder-offset
fields, and the transition comment form. Forms only parse and present; services decide."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from grants.countries import COUNTRIES, WESTERN_BALKANS
from grants.models import OrganisationType
from workflows import offsets


# The zones of the region first; Kosovo uses Europe/Belgrade in the tz database.
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


COUNTRY_CHOICES = [
    (_("Western Balkans"), [(c, n) for c, n in COUNTRIES if c in WESTERN_BALKANS]),
    (_("Other countries"), [(c, n) for c, n in COUNTRIES if c not in WESTERN_BALKANS]),
]


COUNTRY_ORDER = {code: index for index, (code, _name) in enumerate(COUNTRIES)}


ORG_TYPE_ORDER = {code: index for index, code in enumerate(OrganisationType.values)}


FROZEN_REASON = _("Fixed once the call is published: applicants are drafting against it.")


class TransitionForm(Form):
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def posted_version(data: QueryDict) -> int | None:
    """The `version` an autosaving editor posted (optimistic locking), or None."""
    try:
        return int(data["version"])
    except (KeyError, ValueError):
        return None
