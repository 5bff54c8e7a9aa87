"""Reports through the API: the grantee writes and submits, the manager requests changes per
section or approves — never someone of the grantee organisation — and approval releases the
tranche waiting on the report."""

import pytest

from grants.models import ExchangeRate, Report
from grants.policies import forget_roles
from tests import factories as f
from tests.grants.conftest import url


@pytest.fixture
def open_interim_40_40_20(signed_grant_40_40_20, manager):
    return f.open_interim(signed_grant_40_40_20, manager=manager)


def answers(grant) -> dict[str, str]:
    return {q: "Done." for q in grant.programme.report_questions}


@pytest.fixture
def submitted_interim_40_40_20(open_interim_40_40_20, applicant_a):
    return f.submitted_report(open_interim_40_40_20, member=applicant_a, answer="Done.")


def test_it_takes_a_report_through_changes_to_approval_and_the_second_tranche_becomes_due(
    api_for, open_interim_40_40_20, applicant_a, manager, approver, indicator
):
    grant = open_interim_40_40_20.grant
    line = grant.budget_lines.get()
    grantee, pm = api_for(applicant_a), api_for(manager)
    path = url(grant, "reports", open_interim_40_40_20.pk)
    assert grantee.get(path).data["available_transitions"] == ["submit"]

    saved = grantee.patch(
        path,
        {
            "version": 1,
            "narrative": answers(grant),
            "spending": [{"budget_line": line.pk, "spent": "4000"}],
            "indicators": [{"indicator": indicator.pk, "value": "47"}],
        },
    )
    assert saved.status_code == 200, saved.data
    assert saved.data["version"] == 2
    assert saved.data["financial_lines"] == [{"budget_line": line.pk, "spent": "4000.00"}]
    assert saved.data["indicator_values"][0]["value"] == "47.00"
    statement = saved.data["financial_statement"]
    assert (statement["total_budget"], statement["total_spent"]) == ("9000.00", "4000.00")
    assert statement["lines"][0]["variance"] == "5000.00"
    assert grantee.post(f"{path}submit/").data["state"] == "submitted"

    sent_back = pm.post(
        f"{path}request_changes/", {"comments": {"financial": "Attach the venue receipts."}}
    )
    assert sent_back.status_code == 200, sent_back.data
    assert sent_back.data["state"] == "changes_requested"
    seen = grantee.get(path).data
    assert [(c["section"], c["text"], c["resolved"]) for c in seen["comments"]] == [
        ("financial", "Attach the venue receipts.", False)
    ]
    assert seen["available_transitions"] == ["submit"]

    fixed = grantee.patch(
        path, {"version": seen["version"], "spending": [{"budget_line": line.pk, "spent": "4100"}]}
    )
    assert fixed.status_code == 200, fixed.data
    resubmitted = grantee.post(f"{path}submit/")
    assert resubmitted.data["state"] == "submitted"
    assert resubmitted.data["comments"][0]["resolved"] is True

    assert pm.get(path).data["available_transitions"] == ["approve", "request_changes"]
    approved = pm.post(f"{path}approve/", {"comment": "Thank you."})
    assert approved.status_code == 200, approved.data
    assert (approved.data["state"], approved.data["decided_by"]) == (
        "approved",
        manager.display_name,
    )

    tranches = api_for(approver).get(url(grant, "tranches")).data["results"]
    assert [t["state"] for t in tranches] == ["due", "due", "planned"]
    second = tranches[1]
    assert second["available_transitions"] == ["approve"]
    approve = api_for(approver).post(url(grant, "tranches", second["id"], "approve"))
    assert approve.status_code == 200
    paid = api_for(approver).post(
        url(grant, "tranches", second["id"], "pay"),
        {"paid_on": "2027-09-01", "reference": "BANK-2"},
    )
    assert paid.status_code == 200, paid.data
    assert (paid.data["state"], paid.data["paid_amount"]) == ("paid", "3600.00")


def test_it_refuses_approval_by_the_grantee(api_for, submitted_interim_40_40_20, applicant_a):
    response = api_for(applicant_a).post(
        url(submitted_interim_40_40_20.grant, "reports", submitted_interim_40_40_20.pk, "approve")
    )
    assert response.status_code == 403
    assert Report.objects.get(pk=submitted_interim_40_40_20.pk).state == "submitted"


def test_it_refuses_approval_by_a_manager_who_belongs_to_the_grantee(
    api_for, submitted_interim_40_40_20, manager, org_a
):
    f.MembershipFactory(user=manager, organisation=org_a, role="member")
    forget_roles(manager)
    api = api_for(manager)
    path = url(submitted_interim_40_40_20.grant, "reports", submitted_interim_40_40_20.pk)
    assert api.get(path).data["available_transitions"] == []
    response = api.post(f"{path}approve/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Report.objects.get(pk=submitted_interim_40_40_20.pk).state == "submitted"


def test_it_refuses_a_stale_version(api_for, open_interim_40_40_20, applicant_a, colleague_a):
    path = url(open_interim_40_40_20.grant, "reports", open_interim_40_40_20.pk)
    first = api_for(applicant_a).patch(path, {"version": 1, "narrative": {"x": "Ana's"}})
    assert first.status_code == 200
    late = api_for(colleague_a).patch(path, {"version": 1, "narrative": {"x": "Marko's"}})
    assert late.status_code == 409
    assert late.json()["code"] == "stale_version"
    report = Report.objects.get(pk=open_interim_40_40_20.pk)
    assert (report.version, report.narrative["x"]) == (2, "Ana's")


def test_it_refuses_the_manager_writing_the_report(api_for, open_interim_40_40_20, manager):
    response = api_for(manager).patch(
        url(open_interim_40_40_20.grant, "reports", open_interim_40_40_20.pk),
        {"version": 1, "narrative": {"x": "Mine"}},
    )
    assert response.status_code == 403


def test_it_refuses_to_save_a_submitted_report(api_for, submitted_interim_40_40_20, applicant_a):
    response = api_for(applicant_a).patch(
        url(submitted_interim_40_40_20.grant, "reports", submitted_interim_40_40_20.pk),
        {"version": 2, "narrative": {"x": "Late"}},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "not_editable"


def test_it_lists_every_unanswered_question_on_submit(api_for, open_interim_40_40_20, applicant_a):
    response = api_for(applicant_a).post(
        url(open_interim_40_40_20.grant, "reports", open_interim_40_40_20.pk, "submit")
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert len(errors["narrative"]) == len(open_interim_40_40_20.grant.programme.report_questions)


def test_it_answers_400_for_a_budget_line_of_another_grant(
    api_for, open_interim_40_40_20, applicant_a, grant_factory
):
    theirs = grant_factory().budget_lines.get()
    response = api_for(applicant_a).patch(
        url(open_interim_40_40_20.grant, "reports", open_interim_40_40_20.pk),
        {"version": 1, "spending": [{"budget_line": theirs.pk, "spent": "10"}]},
    )
    assert response.status_code == 400
    assert "spending" in response.json()["errors"]


def test_it_answers_400_for_negative_spending(api_for, open_interim_40_40_20, applicant_a):
    line = open_interim_40_40_20.grant.budget_lines.get()
    response = api_for(applicant_a).patch(
        url(open_interim_40_40_20.grant, "reports", open_interim_40_40_20.pk),
        {"version": 1, "spending": [{"budget_line": line.pk, "spent": "-1"}]},
    )
    assert response.status_code == 400
    assert "spending[0].spent" in response.json()["errors"]


def test_it_converts_the_statement_and_warns_beyond_the_flexibility(
    api_for, open_interim_40_40_20, applicant_a
):
    line = open_interim_40_40_20.grant.budget_lines.get()
    ExchangeRate.objects.create(
        programme=open_interim_40_40_20.grant.programme,
        currency="RSD",
        month=open_interim_40_40_20.period_end.replace(day=1),
        rate="117.2",
    )
    response = api_for(applicant_a).patch(
        url(open_interim_40_40_20.grant, "reports", open_interim_40_40_20.pk),
        {
            "version": 1,
            "currency": "RSD",
            "spending": [{"budget_line": line.pk, "spent": "1172000"}],
        },
    )
    assert response.status_code == 200, response.data
    statement = response.data["financial_statement"]
    assert (statement["report_currency"], statement["rate"]) == ("RSD", "117.200000")
    (row,) = statement["lines"]
    assert (row["spent_local"], row["spent"], row["over_percent"], row["warning"]) == (
        "1172000.00",
        "10000.00",
        "11.11",
        True,
    )


def test_it_requires_a_comment_to_send_a_report_back(api_for, submitted_interim_40_40_20, manager):
    path = url(
        submitted_interim_40_40_20.grant,
        "reports",
        submitted_interim_40_40_20.pk,
        "request_changes",
    )
    response = api_for(manager).post(path, {"comments": {"financial": " "}})
    assert response.status_code == 400
    assert "comments" in response.json()["errors"]
    unknown = api_for(manager).post(path, {"comments": {"finances": "Receipts"}})
    assert unknown.status_code == 400
