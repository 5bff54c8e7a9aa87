"""The query count of the call lists is pinned, and does not grow with the number of rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.models import Call
from tests import factories as f


def queries_for(api, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as context:
        response = api.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response.data["count"]


def add_calls(programme, n: int) -> None:
    for _ in range(n):
        call = f.CallFactory(programme=programme)
        f.CallQuestionFactory(call=call)
        f.CriterionFactory(call=call)


# token → user; the viewer's roles (memberships, programme roles, reviewer calls); count;
# the page; then one query per prefetched relation.
CALLS_LIST = 1 + 3 + 1 + 1 + 2  # questions, criteria


def test_it_lists_calls_in_constant_queries(api_for, manager, programme, django_assert_num_queries):
    api = api_for(manager)
    add_calls(programme, 2)
    f.CallFactory(programme=programme, state=Call.State.DRAFT)  # staff see drafts too
    few, count = queries_for(api, "/api/v1/calls/")
    assert count == 3
    add_calls(programme, 8)
    many, count = queries_for(api, "/api/v1/calls/")
    assert count == 11
    assert few == many
    with django_assert_num_queries(CALLS_LIST):
        api.get("/api/v1/calls/")


def test_it_lists_public_calls_in_constant_queries(api_for, programme, django_assert_num_queries):
    api = api_for(None)
    add_calls(programme, 2)
    few, _count = queries_for(api, "/api/v1/calls/")
    add_calls(programme, 8)
    many, count = queries_for(api, "/api/v1/calls/")
    assert count == 10
    assert few == many
    with django_assert_num_queries(1 + 1 + 2):  # count, page, questions, criteria
        api.get("/api/v1/calls/")
