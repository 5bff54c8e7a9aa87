"""The query count of the grant lists is pinned, and the same for 2 and 8 grants."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.services.grants import grant_sign
from tests.grants.conftest import url

# token → user; the viewer's roles (memberships, programme roles, reviewer calls); count;
# the page; budget lines, tranches, reports.
GRANTS_LIST = 1 + 3 + 1 + 1 + 3
# token → user; roles; the grant; the page of reports; their financial lines, the grant's
# budget lines, indicator values, comments.
REPORTS_LIST = 1 + 3 + 1 + 1 + 1 + 4


def queries_for(api, path: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as context:
        response = api.get(path)
    assert response.status_code == 200
    return len(context.captured_queries), response.data


def test_it_lists_grants_in_constant_queries(
    api_for, manager, grant_factory, django_assert_num_queries
):
    api = api_for(manager)
    for _ in range(2):
        grant_factory()
    few, data = queries_for(api, "/api/v1/grants/")
    assert data["count"] == 2
    for _ in range(6):
        grant = grant_factory()
        grant_sign(grant=grant, actor=grant.organisation.memberships.get().user)
    many, data = queries_for(api, "/api/v1/grants/")
    assert data["count"] == 8
    assert {row["state"] for row in data["results"]} == {"awarded", "contracted"}
    assert few == many
    with django_assert_num_queries(GRANTS_LIST):
        api.get("/api/v1/grants/")


def test_it_lists_a_grants_reports_in_constant_queries(
    api_for, grant_40_40_20, manager, django_assert_num_queries
):
    api = api_for(manager)
    with django_assert_num_queries(REPORTS_LIST):
        response = api.get(url(grant_40_40_20, "reports"))
    assert response.data["count"] == 2
