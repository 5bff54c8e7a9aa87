"""The OpenAPI schema: served, valid without a warning, and true to the running API."""

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token

from applications.services.applications import application_submit, attachment_add


def test_it_serves_the_schema_and_the_docs(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/applications/{id}/submit/" in paths
    assert "/api/v1/calls/{call_id}/questions/{id}/" in paths
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn.jsdelivr" not in docs.content  # local assets only


def test_it_generates_a_valid_schema_without_warnings(tmp_path):
    # Raises CommandError on any warning or on a schema that does not validate.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert "ApplicationStateEnum" in (tmp_path / "schema.yaml").read_text()


# Fuzzing: every GET endpoint, in-process, as a manager, with generated query strings. ----

FUZZ = settings(
    max_examples=4,
    derandomize=True,  # the same examples on every run
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def manager_with_data(manager, draft, applicant_a, pdf):
    """A manager of a programme with a submitted application, a partner and a file."""
    attachment_add(application=draft, actor=applicant_a, upload=pdf())
    application = application_submit(application=draft, actor=applicant_a)
    token, _ = Token.objects.get_or_create(user=manager)
    return {
        "headers": {"Authorization": f"Token {token.key}"},
        "ids": {
            "/api/v1/applications/{id}": application.pk,
            "/api/v1/applications/{application_id}": application.pk,
            "/api/v1/calls/{id}": application.call_id,
            "/api/v1/calls/{call_id}": application.call_id,
        },
    }


@pytest.fixture
def wsgi_app():
    """The real WSGI application, minus what Django's test client also turns off: closing
    the database connection at the end of a request would close the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def real_ids(path: str, ids: dict[str, int]) -> dict[str, int]:
    """Known ids for the path's parent parameters, so the fuzzer reaches real objects."""
    pinned = {}
    for prefix, value in ids.items():
        if path.startswith(prefix):
            pinned[prefix.rsplit("{", 1)[1].rstrip("}")] = value
    return pinned


def test_it_never_answers_a_server_error_to_a_get(wsgi_app, manager_with_data):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    operations = [
        result.ok() for result in schema.get_all_operations() if result.ok().method.upper() == "GET"
    ]
    assert len(operations) >= 15
    headers = manager_with_data["headers"]
    for operation in operations:
        strategy = operation.as_strategy(
            headers=headers, path_parameters=real_ids(operation.path, manager_with_data["ids"])
        )

        @FUZZ
        @given(case=strategy)
        def check(case):
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.method, case.formatted_path, case.query)

        check()


def test_a_number_too_large_for_the_database_is_never_a_500(api_for, applicant_a):
    from django.db import connection

    response = api_for(applicant_a).get("/api/v1/grants/?organisation=99999999999999999999999")
    if connection.vendor == "sqlite":  # SQLite cannot even compare it: a clear 400
        assert response.status_code == 400
        assert (set(response.json()), response.json()["code"]) == (
            {"detail", "code"},
            "out_of_range",
        )
    else:  # PostgreSQL compares it and finds nothing
        assert (response.status_code, response.json()["results"]) == (200, [])
