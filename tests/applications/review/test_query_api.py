"""Query counts of the review lists and the ranking: pinned, and the same for 2 and 8 rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.services.review import assignments_auto_assign
from grants.models import Call
from tests import factories as f

# token → user; the viewer's roles (memberships, programme roles, reviewer calls); count; page.
ASSIGNMENTS_LIST = 1 + 3 + 1 + 1
# token → user; roles; the call; the ranking (criteria, ranked applications, awarded total).
RANKING = 1 + 3 + 1 + 3


def queries_for(api, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as context:
        response = api.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response.data


def add_scored(call, manager, eligible_factory, n: int) -> None:
    """n more applications, each assigned to the call's single reviewer and scored."""
    new = [eligible_factory() for _ in range(n)]
    assignments_auto_assign(call=call, actor=manager)
    for application in new:
        f.score(application.assignments.get(), {"Relevance": 4, "Feasibility": 3})


def test_it_lists_a_reviewers_assignments_in_constant_queries(
    api_for, call, manager, eligible_factory, pool, django_assert_num_queries
):
    Call.objects.filter(pk=call.pk).update(reviewers_per_application=1)
    reviewer = pool(1)[0]
    api = api_for(reviewer)
    add_scored(call, manager, eligible_factory, 1)
    eligible_factory()
    assignments_auto_assign(call=call, actor=manager)  # one scored, one invited
    few, data = queries_for(api, "/api/v1/assignments/")
    assert data["count"] == 2
    add_scored(call, manager, eligible_factory, 3)
    for _ in range(3):
        eligible_factory()
    assignments_auto_assign(call=call, actor=manager)
    many, data = queries_for(api, "/api/v1/assignments/")
    assert data["count"] == 8
    assert {row["state"] for row in data["results"]} == {"invited", "submitted"}
    assert few == many
    with django_assert_num_queries(ASSIGNMENTS_LIST):
        api.get("/api/v1/assignments/")


def test_it_lists_the_calls_assignments_to_the_manager_in_constant_queries(
    api_for, call, manager, eligible_factory, pool
):
    Call.objects.filter(pk=call.pk).update(reviewers_per_application=1)
    pool(1)
    api = api_for(manager)
    add_scored(call, manager, eligible_factory, 2)
    few, data = queries_for(api, "/api/v1/assignments/")
    assert data["count"] == 2
    add_scored(call, manager, eligible_factory, 6)
    many, data = queries_for(api, "/api/v1/assignments/")
    assert data["count"] == 8
    assert all(row["available_transitions"] == ["reopen"] for row in data["results"])
    assert few == many


def test_it_ranks_a_call_in_constant_queries(
    api_for, call, manager, eligible_factory, pool, django_assert_num_queries
):
    Call.objects.filter(pk=call.pk).update(reviewers_per_application=1)
    pool(1)
    api = api_for(manager)
    url = f"/api/v1/calls/{call.pk}/ranking/"
    add_scored(call, manager, eligible_factory, 2)
    few, data = queries_for(api, url)
    assert len(data["rows"]) == 2
    add_scored(call, manager, eligible_factory, 6)
    many, data = queries_for(api, url)
    assert len(data["rows"]) == 8
    assert all(row["total"] == "72.00" for row in data["rows"])
    assert few == many
    with django_assert_num_queries(RANKING):
        api.get(url)


def test_it_lists_award_lists_in_constant_queries(api_for, proposed, manager):
    few, data = queries_for(api_for(manager), "/api/v1/award-lists/")
    assert len(data["results"][0]["items"]) == 3
    # token, roles (3), count, page, items with their applications and organisations.
    assert few == 1 + 3 + 1 + 1 + 1
