"""Whoever may not see a grant gets 404 on it and on everything under it — tranches,
reports, amendments, visits — and nothing they send changes anything. Anonymous callers
are asked to log in on the list."""

import datetime as dt

import pytest

from grants.models import Amendment, Grant, MonitoringVisit, Report, Tranche
from grants.services.amendments import amendment_request
from grants.services.visits import visit_record
from tests.grants.conftest import url

OUTSIDERS = ["applicant_b", "other_manager", "reviewer", None]


@pytest.fixture
def everything(grant_40_40_20, applicant_a, manager):
    """A grant with an amendment waiting and a visit with an open action."""
    amendment = amendment_request(
        grant=grant_40_40_20,
        actor=applicant_a,
        kind="extension",
        justification="Floods delayed the workshops.",
        changes={"end_date": (grant_40_40_20.end_date + dt.timedelta(days=60)).isoformat()},
    )
    visit = visit_record(
        grant=grant_40_40_20,
        actor=manager,
        visited_on=dt.date(2027, 3, 1),
        visitors="Programme manager",
        findings="Workshops on track.",
        actions=[{"description": "Send the attendance lists", "due_date": dt.date(2027, 4, 1)}],
    )
    return {
        "grant": grant_40_40_20,
        "tranche": grant_40_40_20.tranches.get(number=1),
        "report": grant_40_40_20.reports.get(number=1),
        "amendment": amendment,
        "visit": visit,
        "action": visit.actions.get(),
    }


def requests_on(e) -> list[tuple[str, str, dict]]:
    g, t, r, a, v = e["grant"], e["tranche"], e["report"], e["amendment"], e["visit"]
    return [
        ("get", url(g), {}),
        ("post", url(g, "sign"), {}),
        ("get", url(g, "history"), {}),
        ("get", url(g, "tranches"), {}),
        ("get", url(g, "tranches", t.pk), {}),
        ("post", url(g, "tranches", t.pk, "make_due"), {}),
        ("post", url(g, "tranches", t.pk, "approve"), {}),
        ("post", url(g, "tranches", t.pk, "pay"), {"paid_on": "2027-02-01"}),
        ("get", url(g, "reports"), {}),
        ("get", url(g, "reports", r.pk), {}),
        ("patch", url(g, "reports", r.pk), {"version": 1, "narrative": {"x": "Mine now"}}),
        ("post", url(g, "reports", r.pk, "open"), {}),
        ("post", url(g, "reports", r.pk, "submit"), {}),
        ("post", url(g, "reports", r.pk, "approve"), {}),
        ("post", url(g, "reports", r.pk, "request_changes"), {"comments": {"general": "No."}}),
        ("get", url(g, "amendments"), {}),
        (
            "post",
            url(g, "amendments"),
            {"kind": "activities", "justification": "x", "changes": {"description": "y"}},
        ),
        ("get", url(g, "amendments", a.pk), {}),
        ("post", url(g, "amendments", a.pk, "approve"), {}),
        ("post", url(g, "amendments", a.pk, "reject"), {"comment": "No."}),
        ("get", url(g, "visits"), {}),
        (
            "post",
            url(g, "visits"),
            {"visited_on": "2027-05-01", "visitors": "Me", "findings": "Nothing."},
        ),
        ("get", url(g, "visits", v.pk), {}),
        ("post", url(g, "visits", v.pk, "actions", e["action"].pk, "close"), {}),
    ]


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_it_answers_404_to_outsiders_on_every_grant_url(request, api_for, everything, outsider):
    api = api_for(request.getfixturevalue(outsider) if outsider else None)
    for method, path, body in requests_on(everything):
        response = getattr(api, method)(path, body, format="json")
        assert response.status_code == 404, (method, path, response.status_code)
        assert response.json()["code"] == "not_found"

    grant = Grant.objects.get()
    assert grant.state == "awarded" and grant.signed_at is None
    assert set(Tranche.objects.values_list("state", flat=True)) == {"planned"}
    assert set(Report.objects.values_list("state", flat=True)) == {"scheduled"}
    assert Report.objects.get(number=1).version == 1
    assert Amendment.objects.get().state == "requested"
    assert MonitoringVisit.objects.count() == 1
    assert everything["visit"].actions.get().closed_at is None


@pytest.mark.parametrize("outsider", ["applicant_b", "other_manager", "reviewer"])
def test_it_leaves_the_grant_out_of_outsiders_lists(request, api_for, grant_40_40_20, outsider):
    api = api_for(request.getfixturevalue(outsider))
    response = api.get("/api/v1/grants/")
    assert response.status_code == 200
    assert response.data["count"] == 0
    assert (
        api.get(f"/api/v1/grants/?organisation={grant_40_40_20.organisation_id}").data["count"] == 0
    )


def test_it_asks_anonymous_callers_to_log_in_for_the_list(api_for, grant_40_40_20):
    response = api_for(None).get("/api/v1/grants/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "insider", ["applicant_a", "colleague_a", "manager", "approver", "observer"]
)
def test_it_shows_the_grant_to_the_grantee_and_the_programme_staff(
    request, api_for, grant_40_40_20, insider
):
    api = api_for(request.getfixturevalue(insider))
    assert api.get("/api/v1/grants/").data["count"] == 1
    assert api.get(url(grant_40_40_20)).status_code == 200
    assert api.get(url(grant_40_40_20, "reports")).data["count"] == 2
