"""The 360Giving Data Standard: a JSON grant package and the summary-table CSV.

Field names follow the standard's JSON schema (vendored next to this file) and the CSV
column titles its spreadsheet template ("360-giving-schema-titles", grants sheet).
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from django.utils import timezone

from grants.models import Programme
from grants.opendata import (
    PublicGrant,
    country_name,
    iso_datetime,
    organisation_ref,
    programme_code,
)
from workflows.exports import csv_cell

# The standard's country codelist (beneficiaryLocation/countryCode) has no user-assigned
# codes: Kosovo is XK everywhere else in the file, but there only its name can be given.
NOT_IN_COUNTRY_CODELIST = {"XK"}

CSV_COLUMNS = [
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Awarded",
    "Award Date",
    "Planned Dates:Start Date",
    "Planned Dates:End Date",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Recipient Org:Country",
    "Beneficiary Location:Name",
    "Beneficiary Location:Country Code",
    "Funding Org:Identifier",
    "Funding Org:Name",
    "Grant Programme:Code",
    "Grant Programme:Title",
    "Grant Programme:URL",
    "Last modified",
]


def _number(amount: Decimal) -> float:
    # JSON has one number type. Amounts have at most 14 digits, which a float holds exactly
    # enough for its shortest repr to give back the same decimal (9000.5, 1234567.89).
    return float(amount)


def grant_object(item: PublicGrant, programme: Programme, *, programme_url: str) -> dict:
    data: dict = {
        "id": item.id,
        "title": item.title,
        "description": item.description,
        "currency": item.currency,
        "amountAwarded": _number(item.amount),
        "awardDate": item.award_date.isoformat(),
    }
    planned = {}
    if item.start_date:
        planned["startDate"] = item.start_date.isoformat()
    if item.end_date:
        planned["endDate"] = item.end_date.isoformat()
    if planned:
        data["plannedDates"] = [planned]
    data["recipientOrganization"] = [
        {
            "id": organisation_ref(item.recipient),
            "name": item.recipient.legal_name,
            "addressCountry": item.recipient.country.upper(),
        }
    ]
    if item.beneficiary_country:
        location = {"name": country_name(item.beneficiary_country)}
        if item.beneficiary_country not in NOT_IN_COUNTRY_CODELIST:
            location["countryCode"] = item.beneficiary_country
        data["beneficiaryLocation"] = [location]
    data["fundingOrganization"] = [
        {"id": organisation_ref(programme.owner), "name": programme.owner.legal_name}
    ]
    data["grantProgramme"] = [
        {"code": programme_code(programme), "title": programme.title, "url": programme_url}
    ]
    if item.modified:
        data["dateModified"] = iso_datetime(item.modified)
    return data


def package(
    items: list[PublicGrant], programme: Programme, *, programme_url: str, download_url: str
) -> dict:
    """A 360Giving grant package. An empty `grants` list (a public programme that has not
    awarded anything yet) is served as it is, though the package schema wants one grant."""
    owner = programme.owner
    return {
        "grants": [grant_object(i, programme, programme_url=programme_url) for i in items],
        "title": f"Grants awarded by {owner.legal_name}: {programme.title}",
        "identifier": f"{programme_code(programme)}-grants",
        "modified": iso_datetime(timezone.now()),
        "publisher": {"identifier": organisation_ref(owner), "name": owner.legal_name},
        "accessURL": programme_url,
        "downloadURL": download_url,
    }


def package_json(
    items: list[PublicGrant], programme: Programme, *, programme_url: str, download_url: str
) -> str:
    data = package(items, programme, programme_url=programme_url, download_url=download_url)
    return json.dumps(data, ensure_ascii=False, indent=2)


def package_csv(items: list[PublicGrant], programme: Programme, *, programme_url: str) -> str:
    """The summary table: one row per grant, the standard's column titles. No byte-order
    mark: 360Giving's tools read the first column title as it is."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        data = grant_object(item, programme, programme_url=programme_url)
        planned = data.get("plannedDates", [{}])[0]
        recipient = data["recipientOrganization"][0]
        location = data.get("beneficiaryLocation", [{}])[0]
        funder = data["fundingOrganization"][0]
        grant_programme = data["grantProgramme"][0]
        writer.writerow(
            [
                data["id"],
                csv_cell(data["title"]),
                csv_cell(data["description"]),
                data["currency"],
                f"{item.amount:.2f}",
                data["awardDate"],
                planned.get("startDate", ""),
                planned.get("endDate", ""),
                recipient["id"],
                csv_cell(recipient["name"]),
                recipient["addressCountry"],
                location.get("name", ""),
                location.get("countryCode", ""),
                funder["id"],
                csv_cell(funder["name"]),
                grant_programme["code"],
                csv_cell(grant_programme["title"]),
                grant_programme["url"],
                data.get("dateModified", ""),
            ]
        )
    return out.getvalue()
