"""Amounts always with their currency; datetimes always with their time zone."""

from decimal import Decimal
from zoneinfo import ZoneInfo

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import dateformat, timezone

register = template.Library()


def format_money(amount, currency: str) -> str:
    if amount is None:
        return "—"
    amount = Decimal(amount).quantize(Decimal("0.01"))
    return f"{intcomma(amount, use_l10n=False)} {currency}"


@register.simple_tag
def money(amount, currency):
    return format_money(amount, currency)


@register.filter
def in_zone(value, zone_name: str):
    """A datetime in the given zone, formatted with the zone's abbreviation."""
    if value is None:
        return "—"
    local = timezone.localtime(value, ZoneInfo(zone_name))
    # dateformat, not strftime: the month's name in the active language ("05 Sep" / "05 sep").
    return f"{dateformat.format(local, 'd M Y, H:i:s')} {local.tzname()} ({zone_name})"


@register.filter
def plain(value) -> str:
    """A decimal without trailing zeros and never in exponent form: 10.00 → "10", 0.50 → "0.5"."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")
