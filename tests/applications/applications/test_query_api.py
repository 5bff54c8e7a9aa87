"""The query count of the application lists is pinned, and does not grow with the number of rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Application
from tests import factories as f


def queries_for(api, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as context:
        response = api.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response.data["count"]


def add_applications(call, n: int, *, organisation=None, state=Application.State.SUBMITTED):
    for _ in range(n):
        application = f.complete_application(
            call=call,
            organisation=organisation or f.OrganisationFactory(),
            created_by=f.UserFactory(),
        )
        f.PartnerFactory(application=application)
        Application.objects.filter(pk=application.pk).update(state=state)


APPLICATIONS_LIST = (
    1 + 3 + 1 + 1 + 5
)  # answers, budget lines, partners, attachments, clarifications


def test_it_lists_applications_for_a_manager_in_constant_queries(
    api_for, manager, call, django_assert_num_queries
):
    api = api_for(manager)
    add_applications(call, 2)
    few, count = queries_for(api, "/api/v1/applications/")
    assert count == 2
    add_applications(call, 8)
    many, count = queries_for(api, "/api/v1/applications/")
    assert count == 10
    assert few == many
    with django_assert_num_queries(APPLICATIONS_LIST):
        response = api.get("/api/v1/applications/")
    row = response.data["results"][0]
    assert row["totals"]["requested"] == "9000.00"  # not multiplied by the partner join
    assert set(row["available_transitions"]) == {
        "mark_eligible",
        "mark_ineligible",
        "request_clarification",
    }


def test_it_lists_applications_for_an_applicant_in_constant_queries(
    api_for, applicant_a, org_a, call, django_assert_num_queries
):
    api = api_for(applicant_a)
    add_applications(call, 2, organisation=org_a, state=Application.State.DRAFT)
    few, count = queries_for(api, "/api/v1/applications/")
    assert count == 2
    add_applications(call, 8, organisation=org_a, state=Application.State.DRAFT)
    many, count = queries_for(api, "/api/v1/applications/")
    assert count == 10
    assert few == many
    with django_assert_num_queries(APPLICATIONS_LIST):
        api.get("/api/v1/applications/")
