"""Organisation registers: the list codes of org-id.guide (the IATI
OrganisationRegistrationAgency codelist), for building organisation identifiers of the form
``<list code>-<number in that register>``, e.g. ``RS-APR-12345678``.

The Western Balkan registers below are those org-id.guide lists for AL, BA, ME, MK, RS and
XK (the org-id/register repository, ``lists/<country>/<code>.json``; RS-APR and RS-PIB also
in the IATI codelist). Any other valid list code may be recorded too (through the API), so
organisations registered elsewhere are not left out.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Code and English name as org-id.guide gives them (the code says the country). The primary (register) lists of a country come
# before its secondary (tax number) lists.
WESTERN_BALKAN_REGISTRIES = [
    ("AL-QKB", "Albanian National Business Center"),
    ("AL-CR", "Albania National Registration Center"),
    ("BA-CR", "Registers of Business Entities in Bosnia and Herzegovina"),
    ("BA-JIB", "Unique Identification Number (Tax)"),
    ("ME-CR", "Central Register of Business Entities"),
    ("ME-PIB", "Montenegro Tax Identification Number"),
    ("MK-CR", "The Central Register of Macedonia"),
    ("RS-APR", "Serbian Business Registrations Agency"),
    ("RS-PIB", "Tax identification number register"),
    ("XK-CR", "Kosovo Business Registration Agency"),
]

# Two capital letters (a country, or XI/XM/… for international lists), an optional
# subdivision after an underscore (CA_BC-…), a hyphen and the list's name, which may hold an
# underscore itself (BE-BCE_KBO).
REGISTRY_CODE = re.compile(r"[A-Z]{2}(?:_[A-Z0-9]+)?-[A-Z0-9]+(?:_[A-Z0-9]+)*")


def validate_registry(value: str) -> None:
    if not REGISTRY_CODE.fullmatch(value):
        raise ValidationError(
            _(
                "“%(value)s” is not an org-id.guide register code. Use the list code as "
                "org-id.guide gives it: capital letters, the country first, then a hyphen, "
                "e.g. RS-APR."
            ),
            code="invalid_registry",
            params={"value": value},
        )


def org_id(registry: str, registration_number: str) -> str:
    """The org-id.guide identifier, or "" when either part is missing."""
    number = "".join(registration_number.split())
    if not registry or not number:
        return ""
    return f"{registry}-{number}"
