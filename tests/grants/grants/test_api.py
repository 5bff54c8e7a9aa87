"""Grants: the list and its filters, a grant with its budget, tranches, reports and amounts,
the signature (in the app or with a signed copy) and the history."""

from decimal import Decimal

from grants.models import Grant
from grants.services.grants import tranche_approve, tranche_pay
from tests.grants.conftest import url


def test_it_lists_a_grant_with_its_budget_tranches_reports_and_amounts(
    api_for, grant_40_40_20, manager
):
    response = api_for(manager).get("/api/v1/grants/")
    assert response.status_code == 200
    (row,) = response.data["results"]
    assert row["id"] == grant_40_40_20.pk
    assert (row["state"], row["available_transitions"]) == ("awarded", [])
    assert row["organisation"]["short_name"] == "YINS"
    assert row["programme_title"] == "Western Balkans Civic Fund"
    assert [line["amount"] for line in row["budget_lines"]] == ["9000.00"]
    assert [(t["percent"], t["amount"], t["state"]) for t in row["tranches"]] == [
        ("40.00", "3600.00", "planned"),
        ("40.00", "3600.00", "planned"),
        ("20.00", "1800.00", "planned"),
    ]
    assert [(r["kind"], r["state"], r["is_overdue"]) for r in row["reports"]] == [
        ("interim", "scheduled", False),
        ("final", "scheduled", False),
    ]
    assert (row["amount"], row["amount_paid"], row["amount_committed"]) == (
        "9000.00",
        "0.00",
        "0.00",
    )
    assert row["amount_remaining"] == "9000.00"


def test_it_filters_the_list_by_programme_state_and_organisation(
    api_for, grant_40_40_20, grant_factory, manager, programme, other_programme
):
    other = grant_factory()
    api = api_for(manager)

    def ids(query: str) -> set[int]:
        return {row["id"] for row in api.get(f"/api/v1/grants/?{query}").data["results"]}

    assert ids(f"programme={programme.pk}") == {grant_40_40_20.pk, other.pk}
    assert ids(f"programme={other_programme.pk}") == set()
    assert ids(f"organisation={other.organisation_id}") == {other.pk}
    Grant.objects.filter(pk=other.pk).update(state="contracted")
    assert ids("state=contracted") == {other.pk}
    assert ids("state=awarded") == {grant_40_40_20.pk}


def test_it_offers_the_signature_to_the_grantees_administrator_only(
    api_for, grant_40_40_20, applicant_a, colleague_a
):
    assert api_for(applicant_a).get(url(grant_40_40_20)).data["available_transitions"] == ["sign"]
    assert api_for(colleague_a).get(url(grant_40_40_20)).data["available_transitions"] == []


def test_it_lets_the_grantees_administrator_sign_and_the_first_tranche_becomes_due(
    api_for, grant_40_40_20, applicant_a
):
    response = api_for(applicant_a).post(url(grant_40_40_20, "sign"))
    assert response.status_code == 200, response.data
    assert response.data["state"] == "contracted"
    assert response.data["signed_by"] == applicant_a.display_name
    assert [t["state"] for t in response.data["tranches"]] == ["due", "planned", "planned"]
    assert response.data["amount_committed"] == "3600.00"

    again = api_for(applicant_a).post(url(grant_40_40_20, "sign"))
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_state"


def test_it_keeps_an_uploaded_signed_copy(api_for, grant_40_40_20, applicant_a, pdf):
    response = api_for(applicant_a).post(
        url(grant_40_40_20, "sign"), {"signed_copy": pdf("signed.pdf")}, format="multipart"
    )
    assert response.status_code == 200, response.data
    assert response.data["has_signed_copy"] is True
    grant_40_40_20.refresh_from_db()
    assert grant_40_40_20.signed_copy.read().startswith(b"%PDF")


def test_it_refuses_a_plain_member_signing(api_for, grant_40_40_20, colleague_a):
    response = api_for(colleague_a).post(url(grant_40_40_20, "sign"))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    grant_40_40_20.refresh_from_db()
    assert (grant_40_40_20.state, grant_40_40_20.signed_at) == ("awarded", None)


def test_it_refuses_the_manager_signing_for_the_grantee(api_for, grant_40_40_20, manager):
    assert api_for(manager).post(url(grant_40_40_20, "sign")).status_code == 403


def test_it_refuses_a_signed_copy_that_is_not_a_document(api_for, grant_40_40_20, applicant_a, pdf):
    response = api_for(applicant_a).post(
        url(grant_40_40_20, "sign"),
        {"signed_copy": pdf("signed.pdf", b"MZ\x90\x00 not a pdf")},
        format="multipart",
    )
    assert response.status_code == 400
    assert "file" in response.json()["errors"]
    assert Grant.objects.get().state == "awarded"


def test_it_tells_the_history_of_the_grant_and_its_tranches(
    api_for, signed_grant_40_40_20, applicant_a, manager
):
    response = api_for(manager).get(url(signed_grant_40_40_20, "history"))
    assert response.status_code == 200
    assert [(e["subject"], e["transition"], e["to_state"]) for e in response.data] == [
        ("grant", "sign", "contracted"),
        ("tranche", "make_due", "due"),
    ]
    assert response.data[0]["actor"] == applicant_a.display_name
    assert response.data[1]["actor"] is None  # the signature's trigger, not a person


def test_it_counts_what_was_paid(api_for, signed_grant_40_40_20, approver):
    first = signed_grant_40_40_20.tranches.get(number=1)
    tranche_approve(tranche=first, actor=approver)
    tranche_pay(
        tranche=first,
        actor=approver,
        paid_on=signed_grant_40_40_20.start_date,
        amount=Decimal("3000"),
    )
    data = api_for(approver).get(url(signed_grant_40_40_20)).data
    assert (data["amount_paid"], data["amount_committed"], data["amount_remaining"]) == (
        "3000.00",
        "0.00",
        "6000.00",
    )
