"""Open data: the public grants of a programme as 360Giving JSON/CSV and IATI XML.

Exactly what the public list shows (published grants of a public programme), for anyone,
checked against the vendored 360Giving schemas and the IATI 2.03 element names, codes and
order."""

import csv
import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource

from grants.models import Call, Grant, Organisation, Tranche
from grants.services.grants import grant_sign, tranche_approve, tranche_pay
from tests import factories as f

SCHEMAS = Path(__file__).resolve().parents[3] / "grants" / "opendata"
# Where the package schema's `grants.items` points; resolved to the vendored copy.
GRANT_SCHEMA_URL = (
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4/schema/360-giving-schema.json"
)
RFC3339 = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", flags=re.IGNORECASE
)
IATI_ACTIVITY_ORDER = [
    # The start of iati-activity's xsd:sequence in iati-activities-schema.xsd 2.03.
    "iati-identifier",
    "reporting-org",
    "title",
    "description",
    "participating-org",
    "other-identifier",
    "activity-status",
    "activity-date",
    "contact-info",
    "activity-scope",
    "recipient-country",
    "recipient-region",
    "location",
    "sector",
    "budget",
    "planned-disbursement",
    "transaction",
]
IATI_TRANSACTION_ORDER = [
    "transaction-type",
    "transaction-date",
    "value",
    "description",
    "provider-org",
    "receiver-org",
]


def _format_checker() -> FormatChecker:
    """jsonschema checks "date-time" only with an optional package; without a check, the
    schema's oneOf [date-time, YYYY-MM-DD pattern] would match a plain date twice and fail.
    This is the RFC 3339 check 360Giving's own validator applies."""
    checker = FormatChecker()

    @checker.checks("date-time")
    def date_time(value) -> bool:
        if not isinstance(value, str) or not RFC3339.fullmatch(value):
            return False
        dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        return True

    return checker


@pytest.fixture(scope="module")
def validator() -> Draft4Validator:
    package_schema = json.loads((SCHEMAS / "360-giving-package-schema.json").read_text())
    grant_schema = json.loads((SCHEMAS / "360-giving-schema.json").read_text())
    registry = Registry().with_resource(GRANT_SCHEMA_URL, Resource.from_contents(grant_schema))
    return Draft4Validator(package_schema, registry=registry, format_checker=_format_checker())


@pytest.fixture
def kosovo_org(db):
    return f.OrganisationFactory(legal_name="Zëri i Rinisë Prizren", country="XK")


@pytest.fixture
def published(call, org_a, org_b, kosovo_org, applicant_a, manager, approver):
    """org_a: 9,000 EUR, signed, first tranche (7,200) paid; Kosovo: 6,500 EUR, awarded, not
    signed yet (the public page shows it); org_b: suspended, so not public."""
    paid = grant_sign(
        grant=f.awarded_grant(call=call, organisation=org_a, manager=manager, member=applicant_a),
        actor=applicant_a,
    )
    tranche = paid.tranches.get(number=1)
    tranche_approve(tranche=tranche, actor=approver)
    tranche_pay(tranche=tranche, actor=approver, paid_on=dt.date(2027, 2, 1), reference="BANK-1")
    awarded = f.awarded_grant(call=call, organisation=kosovo_org, amount="6500.50", manager=manager)
    hidden = f.awarded_grant(call=call, organisation=org_b, amount="6000", manager=manager)
    Grant.objects.filter(pk=hidden.pk).update(state="suspended", title="Hidden project")
    return {"paid": paid, "awarded": awarded, "hidden": hidden}


def _get(client, name, programme_id):
    return client.get(reverse(name, args=[programme_id]))


def _json(client, programme_id):
    response = _get(client, "public-programme-grants-360giving-json", programme_id)
    assert response.status_code == 200
    return json.loads(response.content, parse_float=Decimal)


# 360Giving JSON ------------------------------------------------------------------------


def test_json_is_a_valid_360giving_package_of_exactly_the_public_grants(
    client, call, published, validator
):
    body = _get(client, "public-programme-grants-360giving-json", call.programme_id).content
    validator.validate(json.loads(body))
    data = json.loads(body, parse_float=Decimal)
    owner = call.programme.owner_id
    assert {g["id"] for g in data["grants"]} == {
        f"360G-regrant-{owner}-{published['paid'].pk}",
        f"360G-regrant-{owner}-{published['awarded'].pk}",
    }
    assert b"Hidden project" not in body
    by_id = {g["id"].rsplit("-", 1)[1]: g for g in data["grants"]}
    paid = by_id[str(published["paid"].pk)]
    assert paid["amountAwarded"] == Decimal("9000.00") and paid["currency"] == "EUR"
    assert paid["title"] == published["paid"].title
    assert paid["recipientOrganization"] == [
        {
            "id": f"360G-regrant-org-{published['paid'].organisation_id}",
            "name": "Youth Initiative Novi Sad",
            "addressCountry": "RS",
        }
    ]
    assert paid["fundingOrganization"] == [
        {"id": f"360G-regrant-org-{owner}", "name": "Balkan Civic Network"}
    ]
    assert paid["grantProgramme"][0]["title"] == "Western Balkans Civic Fund"
    assert paid["plannedDates"] == [
        {
            "startDate": published["paid"].start_date.isoformat(),
            "endDate": published["paid"].end_date.isoformat(),
        }
    ]
    assert paid["beneficiaryLocation"] == [{"name": "Serbia", "countryCode": "RS"}]
    kosovo = by_id[str(published["awarded"].pk)]
    assert kosovo["amountAwarded"] == Decimal("6500.50")
    assert kosovo["recipientOrganization"][0]["addressCountry"] == "XK"
    # 360Giving's country codelist has no XK: the name only.
    assert kosovo["beneficiaryLocation"] == [{"name": "Kosovo"}]


def test_amounts_are_json_numbers_not_strings(client, call, published):
    body = _get(client, "public-programme-grants-360giving-json", call.programme_id).content
    assert b'"amountAwarded": 9000.0' in body and b'"amountAwarded": 6500.5' in body


def test_the_schema_check_rejects_what_the_standard_rejects(client, call, published, validator):
    """The validation above is not vacuous: a string amount, a missing recipient, a plain
    date where a date-time is required and an unknown currency all fail."""
    data = json.loads(
        _get(client, "public-programme-grants-360giving-json", call.programme_id).content
    )
    assert validator.is_valid(data)
    for field, value in [
        ("amountAwarded", "9000.00"),
        ("currency", "XXX"),
        ("dateModified", "2027-01-01"),
        ("awardDate", "01/02/2027"),
    ]:
        broken = json.loads(json.dumps(data))
        broken["grants"][0][field] = value
        assert not validator.is_valid(broken), field
    broken = json.loads(json.dumps(data))
    del broken["grants"][0]["recipientOrganization"]
    assert not validator.is_valid(broken)


def test_nothing_personal_or_internal_goes_out(client, call, published, applicant_a):
    for name in (
        "public-programme-grants-360giving-json",
        "public-programme-grants-360giving-csv",
        "public-programme-grants-iati",
    ):
        body = _get(client, name, call.programme_id).content.decode()
        assert "@" not in body.replace("http://", "")
        assert applicant_a.full_name not in body
        assert "BANK-1" not in body  # the payment reference
        assert "REG-" not in body  # registration numbers are not on the public page


def test_grant_identifiers_use_the_configured_prefix(client, call, published):
    with override_settings(OPEN_DATA_ID_PREFIX="360G-bcn"):
        data = _json(client, call.programme_id)
    assert all(g["id"].startswith("360G-bcn-") for g in data["grants"])
    assert all(
        g["recipientOrganization"][0]["id"].startswith("360G-bcn-org-") for g in data["grants"]
    )


def test_the_json_export_runs_a_fixed_number_of_queries(
    client, call, published, manager, django_assert_max_num_queries
):
    """No query per grant: the same few queries for 2 grants as for 6, for every file."""
    for _ in range(4):
        g = f.awarded_grant(
            call=call, organisation=f.OrganisationFactory(), amount="5000", manager=manager
        )
        Tranche.objects.filter(grant=g, number=1).update(
            state="paid", paid_on=dt.date(2027, 3, 1), paid_amount=Decimal(4000)
        )
    with django_assert_max_num_queries(2):
        data = _json(client, call.programme_id)
    assert len(data["grants"]) == 6
    with django_assert_max_num_queries(2):
        _get(client, "public-programme-grants-360giving-csv", call.programme_id)
    with django_assert_max_num_queries(4):
        _root, activities = _activities(client, call.programme_id)
    assert sum(len(a.findall("transaction")) for a in activities) == 6 + 5


def test_a_public_programme_without_grants_yet_has_an_empty_package(client, call):
    assert _json(client, call.programme_id)["grants"] == []


# Organisation identifiers ----------------------------------------------------------------


@pytest.fixture
def registered(call, published):
    """The grantee and the lead have recorded their registers: they get org-ids."""
    Organisation.objects.filter(pk=published["paid"].organisation_id).update(
        registry="RS-APR", registration_number="1712 3456"
    )
    Organisation.objects.filter(pk=call.programme.owner_id).update(
        registry="BA-JIB", registration_number="4200123450008"
    )
    return published


def test_an_organisation_with_register_and_number_gets_its_org_id_in_json(
    client, call, registered, validator
):
    body = _get(client, "public-programme-grants-360giving-json", call.programme_id).content
    data = json.loads(body)
    validator.validate(data)
    owner = call.programme.owner_id
    by_id = {g["id"]: g for g in data["grants"]}
    # The grant identifiers do not change.
    paid = by_id[f"360G-regrant-{owner}-{registered['paid'].pk}"]
    assert paid["recipientOrganization"][0]["id"] == "RS-APR-17123456"
    assert paid["fundingOrganization"][0]["id"] == "BA-JIB-4200123450008"
    assert data["publisher"]["identifier"] == "BA-JIB-4200123450008"
    # The Kosovo grantee has a number but no register: the internal identifier.
    kosovo = by_id[f"360G-regrant-{owner}-{registered['awarded'].pk}"]
    assert kosovo["recipientOrganization"][0]["id"] == (
        f"360G-regrant-org-{registered['awarded'].organisation_id}"
    )


def test_an_organisation_with_register_and_number_gets_its_org_id_in_csv(client, call, registered):
    response = _get(client, "public-programme-grants-360giving-csv", call.programme_id)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    by_name = {r["Recipient Org:Name"]: r for r in rows}
    assert by_name["Youth Initiative Novi Sad"]["Recipient Org:Identifier"] == "RS-APR-17123456"
    assert by_name["Zëri i Rinisë Prizren"]["Recipient Org:Identifier"] == (
        f"360G-regrant-org-{registered['awarded'].organisation_id}"
    )
    assert {r["Funding Org:Identifier"] for r in rows} == {"BA-JIB-4200123450008"}
    assert {r["Identifier"].rsplit("-", 1)[0] for r in rows} == {
        f"360G-regrant-{call.programme.owner_id}"
    }


def test_an_organisation_with_register_and_number_gets_its_org_id_in_iati(client, call, registered):
    _root, activities = _activities(client, call.programme_id)
    by_pk = {a.findtext("iati-identifier").rsplit("-", 1)[1]: a for a in activities}
    paid = by_pk[str(registered["paid"].pk)]
    lead = "BA-JIB-4200123450008"
    assert paid.find("reporting-org").get("ref") == lead
    refs = {o.get("role"): o.get("ref") for o in paid.findall("participating-org")}
    assert refs == {"1": lead, "3": lead, "4": "RS-APR-17123456"}
    for transaction in paid.findall("transaction"):
        assert transaction.find("provider-org").get("ref") == lead
        assert transaction.find("receiver-org").get("ref") == "RS-APR-17123456"
    # The activity identifier keeps the internal form.
    assert paid.findtext("iati-identifier") == (
        f"360G-regrant-org-{call.programme.owner_id}-{registered['paid'].pk}"
    )
    kosovo = by_pk[str(registered["awarded"].pk)]
    implementing = kosovo.find("participating-org[@role='4']")
    assert implementing.get("ref") == f"360G-regrant-org-{registered['awarded'].organisation_id}"


@pytest.mark.parametrize(
    ("registry", "number"), [("RS-APR", ""), ("RS-APR", "   "), ("", "17123456")]
)
def test_without_register_or_number_the_identifier_stays_internal(
    client, call, published, registry, number
):
    organisation_id = published["paid"].organisation_id
    Organisation.objects.filter(pk=organisation_id).update(
        registry=registry, registration_number=number
    )
    data = _json(client, call.programme_id)
    ids = {g["recipientOrganization"][0]["id"] for g in data["grants"]}
    assert f"360G-regrant-org-{organisation_id}" in ids
    _root, activities = _activities(client, call.programme_id)
    refs = {a.find("participating-org[@role='4']").get("ref") for a in activities}
    assert f"360G-regrant-org-{organisation_id}" in refs


# 360Giving CSV -------------------------------------------------------------------------


def test_csv_has_the_standard_column_titles_and_one_row_per_public_grant(client, call, published):
    response = _get(client, "public-programme-grants-360giving-csv", call.programme_id)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    header, body = rows[0], rows[1:]
    assert header[:6] == [
        "Identifier",
        "Title",
        "Description",
        "Currency",
        "Amount Awarded",
        "Award Date",
    ]
    for title in (
        "Planned Dates:Start Date",
        "Planned Dates:End Date",
        "Recipient Org:Identifier",
        "Recipient Org:Name",
        "Recipient Org:Country",
        "Funding Org:Identifier",
        "Funding Org:Name",
        "Grant Programme:Title",
        "Last modified",
    ):
        assert title in header
    assert len(body) == 2
    records = [dict(zip(header, row, strict=True)) for row in body]
    by_name = {r["Recipient Org:Name"]: r for r in records}
    assert by_name["Youth Initiative Novi Sad"]["Amount Awarded"] == "9000.00"
    assert by_name["Youth Initiative Novi Sad"]["Currency"] == "EUR"
    assert by_name["Zëri i Rinisë Prizren"]["Recipient Org:Country"] == "XK"
    assert by_name["Zëri i Rinisë Prizren"]["Amount Awarded"] == "6500.50"
    assert "Hidden project" not in response.content.decode()


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(client, call, published):
    Grant.objects.filter(pk=published["paid"].pk).update(title="=HYPERLINK(1)")
    body = _get(client, "public-programme-grants-360giving-csv", call.programme_id).content
    assert b",'=HYPERLINK(1)," in body


# IATI ----------------------------------------------------------------------------------


def _activities(client, programme_id):
    response = _get(client, "public-programme-grants-iati", programme_id)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "iati-activities" and root.get("version") == "2.03"
    assert dt.datetime.fromisoformat(root.get("generated-datetime"))
    return root, root.findall("iati-activity")


def _in_schema_order(tags: list[str], order: list[str]) -> bool:
    positions = [order.index(tag) for tag in tags]
    return positions == sorted(positions)


def test_iati_has_one_activity_per_public_grant_with_commitment_and_disbursements(
    client, call, published
):
    call.programme.donors.add(f.DonorFactory())
    _root, activities = _activities(client, call.programme_id)
    assert len(activities) == 2
    by_pk = {a.findtext("iati-identifier").rsplit("-", 1)[1]: a for a in activities}
    assert set(by_pk) == {str(published["paid"].pk), str(published["awarded"].pk)}

    paid = by_pk[str(published["paid"].pk)]
    reporting = paid.find("reporting-org")
    assert paid.findtext("iati-identifier").startswith(reporting.get("ref") + "-")
    assert (
        reporting.get("type") == "22" and reporting.findtext("narrative") == "Balkan Civic Network"
    )
    assert paid.find("title/narrative").text == published["paid"].title
    assert paid.find("description/narrative").text
    roles = {(o.get("role"), o.findtext("narrative")) for o in paid.findall("participating-org")}
    assert ("1", "European Union") in roles  # funding: the donor
    assert ("3", "Balkan Civic Network") in roles  # extending: the lead
    assert ("4", "Youth Initiative Novi Sad") in roles  # implementing: the grantee
    assert paid.find("activity-status").get("code") == "2"  # contracted: implementation
    dates = {d.get("type"): d.get("iso-date") for d in paid.findall("activity-date")}
    assert dates == {
        "1": published["paid"].start_date.isoformat(),
        "3": published["paid"].end_date.isoformat(),
    }
    assert paid.find("recipient-country").get("code") == "RS"
    assert _in_schema_order([c.tag for c in paid], IATI_ACTIVITY_ORDER)

    transactions = paid.findall("transaction")
    commitments = [t for t in transactions if t.find("transaction-type").get("code") == "2"]
    disbursements = [t for t in transactions if t.find("transaction-type").get("code") == "3"]
    assert len(commitments) == 1 and len(disbursements) == 1
    value = commitments[0].find("value")
    assert Decimal(value.text) == Decimal("9000.00") and value.get("currency") == "EUR"
    assert value.get("value-date")
    paid_value = disbursements[0].find("value")
    assert Decimal(paid_value.text) == Decimal("7200.00")
    assert paid_value.get("value-date") == "2027-02-01"
    assert disbursements[0].find("transaction-date").get("iso-date") == "2027-02-01"
    assert (
        disbursements[0].find("receiver-org").findtext("narrative") == "Youth Initiative Novi Sad"
    )
    for t in transactions:
        assert _in_schema_order([c.tag for c in t], IATI_TRANSACTION_ORDER)

    kosovo = by_pk[str(published["awarded"].pk)]
    assert kosovo.find("activity-status").get("code") == "1"  # awarded, not signed: pipeline
    assert kosovo.find("recipient-country").get("code") == "XK"
    kinds = [t.find("transaction-type").get("code") for t in kosovo.findall("transaction")]
    assert kinds == ["2"]
    assert Decimal(kosovo.find("transaction/value").text) == Decimal("6500.50")


def test_iati_names_the_lead_as_funder_when_the_programme_has_no_donor(client, call, published):
    _root, activities = _activities(client, call.programme_id)
    roles = [o.get("role") for o in activities[0].findall("participating-org")]
    assert roles == ["1", "3", "4"]


def test_a_regional_call_gives_no_beneficiary_country(client, call, published):
    Call.objects.filter(pk=call.pk).update(scope=Call.Scope.REGIONAL)
    _root, activities = _activities(client, call.programme_id)
    assert all(a.find("recipient-country") is None for a in activities)
    assert all("beneficiaryLocation" not in g for g in _json(client, call.programme_id)["grants"])


# Access --------------------------------------------------------------------------------

EXPORTS = [
    "public-programme-grants-360giving-json",
    "public-programme-grants-360giving-csv",
    "public-programme-grants-iati",
]


@pytest.mark.parametrize("name", EXPORTS)
def test_anyone_may_download_and_caches_may_keep_it_briefly(client, call, published, name):
    response = _get(client, name, call.programme_id)
    assert response.status_code == 200
    cache_control = {d.strip() for d in response["Cache-Control"].split(",")}
    assert "public" in cache_control and "max-age=300" in cache_control
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("name", EXPORTS)
def test_a_programme_the_public_does_not_know_is_404(client, lead_org, name):
    unknown = f.ProgrammeFactory(owner=lead_org)
    f.CallFactory(programme=unknown, state=Call.State.DRAFT)
    grant = Grant.objects.create(
        title="Private", organisation=lead_org, programme=unknown, amount=Decimal(1)
    )
    Grant.objects.filter(pk=grant.pk).update(state="suspended")
    assert _get(client, name, unknown.pk).status_code == 404
    assert client.get(f"/programmes/{unknown.pk + 1000}/grants/iati.xml").status_code == 404


@pytest.mark.parametrize("name", EXPORTS)
def test_only_reads_are_allowed(client, call, published, name):
    assert client.post(reverse(name, args=[call.programme_id])).status_code == 405


def test_another_programmes_grants_never_appear(client, call, published, other_programme):
    f.CallFactory(programme=other_programme)
    other = Grant.objects.create(
        title="Someone else's grant",
        organisation=f.OrganisationFactory(),
        programme=other_programme,
        amount=Decimal(100),
    )
    body = _get(client, "public-programme-grants-360giving-json", call.programme_id).content
    assert other.title.encode() not in body
    assert [g["title"] for g in _json(client, other_programme.pk)["grants"]] == [other.title]


# Links ---------------------------------------------------------------------------------


def test_the_public_page_links_to_the_downloads(client, call, published):
    content = _get(client, "public-programme-grants", call.programme_id).content.decode()
    for name in EXPORTS:
        assert reverse(name, args=[call.programme_id]) in content


def test_the_donor_report_page_links_to_the_downloads(client_for, call, published, manager):
    page = client_for(manager).get(reverse("manage-donor-report", args=[call.programme_id]))
    content = page.content.decode()
    for name in EXPORTS:
        assert reverse(name, args=[call.programme_id]) in content


def test_the_donor_report_page_has_no_links_while_nothing_is_public(client_for, call, manager):
    page = client_for(manager).get(reverse("manage-donor-report", args=[call.programme_id]))
    assert reverse(EXPORTS[0], args=[call.programme_id]) not in page.content.decode()
