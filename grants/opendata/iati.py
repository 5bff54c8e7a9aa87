"""IATI Activity Standard 2.03: one iati-activity per awarded grant.

The lead organisation reports; each grant is an activity it funds (role 3, "extending": it
manages the money on the donors' behalf) with the donors as funders (role 1) and the grantee
implementing (role 4). Transactions: the award as an outgoing commitment (code 2) and each
paid tranche as a disbursement (code 3). Children follow the order of the 2.03 schema's
sequences (iati-activities-schema.xsd), which a validator enforces.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from django.utils import timezone

from grants.models import Donor, Grant, Organisation, OrganisationType, Programme
from grants.opendata import PublicGrant, iso_datetime, organisation_id, organisation_ref

VERSION = "2.03"

# IATI codelists (2.03).
COMMITMENT = "2"  # TransactionType: Outgoing Commitment
DISBURSEMENT = "3"  # TransactionType: Disbursement
ROLE_FUNDING, ROLE_EXTENDING, ROLE_IMPLEMENTING = "1", "3", "4"  # OrganisationRole
PLANNED_START, PLANNED_END = "1", "3"  # ActivityDateType
GENERAL_DESCRIPTION = "1"  # DescriptionType

# ActivityStatus: 1 pipeline/identification, 2 implementation, 3 finalisation (over, final
# sign-off pending), 4 closed. Suspended (6) and terminated (5, cancelled) grants are not
# public, so they never get here.
ACTIVITY_STATUS = {
    Grant.State.AWARDED: "1",
    Grant.State.CONTRACTED: "2",
    Grant.State.ACTIVE: "2",
    Grant.State.CLOSING: "3",
    Grant.State.CLOSED: "4",
    Grant.State.SUSPENDED: "6",
    Grant.State.TERMINATED: "5",
}

# OrganisationType: 22 national NGO, 80 academic/training/research, 15 other public sector,
# 90 other (a media organisation may be an NGO or a company).
ORGANISATION_TYPE = {
    OrganisationType.CSO: "22",
    OrganisationType.GRASSROOTS: "22",
    OrganisationType.NETWORK: "22",
    OrganisationType.MEDIA: "90",
    OrganisationType.ACADEMIC: "80",
    OrganisationType.PUBLIC_BODY: "15",
    OrganisationType.OTHER: "90",
}


def organisation_type(organisation: Organisation) -> str:
    return ORGANISATION_TYPE.get(organisation.org_type, "90")


def _narrative(parent: ET.Element, text: str) -> None:
    ET.SubElement(parent, "narrative").text = text


def _org(parent: ET.Element, tag: str, organisation: Organisation, **attrs: str) -> None:
    element = ET.SubElement(
        parent,
        tag,
        {"ref": organisation_ref(organisation), "type": organisation_type(organisation), **attrs},
    )
    _narrative(element, organisation.legal_name)


def _transaction(
    activity: ET.Element,
    code: str,
    date,
    amount,
    currency: str,
    provider: Organisation,
    receiver: Organisation,
) -> None:
    transaction = ET.SubElement(activity, "transaction")
    ET.SubElement(transaction, "transaction-type", code=code)
    ET.SubElement(transaction, "transaction-date", {"iso-date": date.isoformat()})
    ET.SubElement(
        transaction, "value", {"currency": currency, "value-date": date.isoformat()}
    ).text = f"{amount:.2f}"
    _org(transaction, "provider-org", provider)
    _org(transaction, "receiver-org", receiver)


def activity(item: PublicGrant, programme: Programme, donors: list[Donor]) -> ET.Element:
    lead = programme.owner
    grant = item.grant
    attrs = {"{http://www.w3.org/XML/1998/namespace}lang": "en", "default-currency": item.currency}
    if item.modified:
        attrs["last-updated-datetime"] = iso_datetime(item.modified)
    element = ET.Element("iati-activity", attrs)
    # Prefixed with the lead's internal identifier, which never changes: the reporting-org
    # ref becomes its org-id once it records its register, and an activity's identifier
    # must stay the same from one file to the next.
    ET.SubElement(element, "iati-identifier").text = f"{organisation_id(lead)}-{grant.pk}"
    _org(element, "reporting-org", lead)
    _narrative(ET.SubElement(element, "title"), item.title)
    _narrative(ET.SubElement(element, "description", type=GENERAL_DESCRIPTION), item.description)
    for donor in donors:
        funding = ET.SubElement(element, "participating-org", role=ROLE_FUNDING)
        _narrative(funding, donor.name)
    if not donors:  # the lead funds it from its own money
        _org(element, "participating-org", lead, role=ROLE_FUNDING)
    _org(element, "participating-org", lead, role=ROLE_EXTENDING)
    _org(element, "participating-org", item.recipient, role=ROLE_IMPLEMENTING)
    ET.SubElement(element, "activity-status", code=ACTIVITY_STATUS[grant.state])
    # At least one activity date is required: the planned start, or the award when the
    # grant has no period yet.
    start = item.start_date or item.award_date
    ET.SubElement(element, "activity-date", {"type": PLANNED_START, "iso-date": start.isoformat()})
    if item.end_date:
        ET.SubElement(
            element, "activity-date", {"type": PLANNED_END, "iso-date": item.end_date.isoformat()}
        )
    if item.beneficiary_country:
        ET.SubElement(element, "recipient-country", code=item.beneficiary_country)
    _transaction(
        element, COMMITMENT, item.award_date, item.amount, item.currency, lead, item.recipient
    )
    for payment in item.payments:
        _transaction(
            element,
            DISBURSEMENT,
            payment.paid_on,
            payment.amount,
            item.currency,
            lead,
            item.recipient,
        )
    return element


def donors_of(programme: Programme) -> list[Donor]:
    """The programme's donors, and the donor of the grant that funds it (the cascade)."""
    donors = list(programme.donors.order_by("name"))
    parent = programme.parent_grant
    if parent is not None and parent.donor is not None and parent.donor not in donors:
        donors.append(parent.donor)
    return donors


def activities_xml(items: list[PublicGrant], programme: Programme) -> bytes:
    root = ET.Element(
        "iati-activities",
        {"version": VERSION, "generated-datetime": iso_datetime(timezone.now())},
    )
    donors = donors_of(programme)
    for item in items:
        root.append(activity(item, programme, donors))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
