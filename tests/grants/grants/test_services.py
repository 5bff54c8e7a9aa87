"""A grant after the award, through the services: created from the application with its budget,
tranches and reports, signed by the grantee's administrator, within the donor's maximum per
sub-grant; its public summary."""

from decimal import Decimal

import pytest

from applications.services.applications import application_submit
from grants.models import Grant
from grants.services.grants import grant_create_from_application, grant_sign
from tests import factories as f
from workflows.exceptions import NotPermitted, TransitionConflict


def test_it_creates_the_grant_with_budget_tranches_and_reports(grant_40_40_20):
    assert grant_40_40_20.state == "awarded"
    assert sum(line.amount for line in grant_40_40_20.budget_lines.all()) == Decimal("9000")
    assert [(t.percent, t.amount, t.trigger) for t in grant_40_40_20.tranches.all()] == [
        (Decimal("40"), Decimal("3600.00"), "signature"),
        (Decimal("40"), Decimal("3600.00"), "report"),
        (Decimal("20"), Decimal("1800.00"), "report"),
    ]
    reports = list(grant_40_40_20.reports.all())
    assert [r.kind for r in reports] == ["interim", "final"]
    assert grant_40_40_20.tranches.get(number=2).trigger_report == reports[0]
    assert grant_40_40_20.tranches.get(number=3).trigger_report == reports[1]


def test_only_an_authorised_member_signs_and_the_first_tranche_becomes_due(
    grant_40_40_20, applicant_a, colleague_a
):
    with pytest.raises(NotPermitted):
        grant_sign(grant=grant_40_40_20, actor=colleague_a)  # a plain member, not an administrator
    grant_sign(grant=grant_40_40_20, actor=applicant_a)
    grant_40_40_20.refresh_from_db()
    assert (grant_40_40_20.state, grant_40_40_20.signed_by) == ("contracted", applicant_a)
    assert list(grant_40_40_20.tranches.values_list("state", flat=True)) == [
        "due",
        "planned",
        "planned",
    ]


def test_the_donors_maximum_per_sub_grant_is_enforced(
    call, draft, applicant_a, manager, programme, lead_org
):
    programme.parent_grant = Grant.objects.create(
        title="EU grant to the lead",
        organisation=lead_org,
        amount=Decimal("500000"),
        max_subgrant_amount=Decimal("8000"),
    )
    programme.save()
    application = application_submit(application=draft, actor=applicant_a)
    with pytest.raises(TransitionConflict) as exc:
        grant_create_from_application(
            application=application, amount=Decimal("9000"), actor=manager
        )
    assert exc.value.code == "above_subgrant_maximum"
    assert grant_create_from_application(
        application=application, amount=Decimal("8000"), actor=manager
    )


def test_the_grant_gets_a_public_summary_and_the_agreement_names_the_partners(
    call, draft, applicant_a, manager, org_b, client
):
    f.PartnerFactory(application=draft, organisation=org_b)
    summary_question = call.questions.get(label="Project summary")
    draft.answers.filter(question=summary_question).update(
        value="Street law clinics in four towns."
    )
    application = application_submit(application=draft, actor=applicant_a)
    grant = grant_create_from_application(
        application=application, amount=Decimal("9000"), actor=manager
    )
    assert grant.summary == "Street law clinics in four towns."

    from grants.agreement import agreement_pdf

    assert org_b.legal_name.encode() in agreement_pdf(grant).replace(b"\\'", b"'")

    from grants.services.grants import grant_summary_update

    with pytest.raises(NotPermitted):
        grant_summary_update(grant=grant, actor=applicant_a, summary="x")
    client.force_login(manager)
    response = client.post(f"/manage/grants/{grant.pk}/summary/", {"summary": "Legal aid clinics."})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.summary == "Legal aid clinics."


@pytest.mark.parametrize(
    ("who", "status"), [("other_manager", 404), ("applicant_b", 404), ("observer", 403)]
)
def test_only_the_manager_edits_the_public_summary(request, grant_40_40_20, client, who, status):
    client.force_login(request.getfixturevalue(who))
    response = client.post(f"/manage/grants/{grant_40_40_20.pk}/summary/", {"summary": "Hijacked"})
    assert response.status_code == status
    grant_40_40_20.refresh_from_db()
    assert grant_40_40_20.summary != "Hijacked"
