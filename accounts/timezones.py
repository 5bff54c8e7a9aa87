"""Time zones: a validator for stored zone names, and the choices a form offers (the region's
zones first). People, programmes and calls each have one."""

from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_timezone(value: str) -> None:
    # A validator, not `choices`: the list comes from the system's tz database, which must not
    # leak into migrations.
    if value not in available_timezones():
        raise ValidationError(_("“%(value)s” is not a time zone."), params={"value": value})


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
