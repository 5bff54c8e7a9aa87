"""The grants API in the OpenAPI schema: present, and valid without a warning."""

import yaml
from django.core.management import call_command

GRANT_PATHS = {
    "/api/v1/grants/",
    "/api/v1/grants/{id}/",
    "/api/v1/grants/{id}/sign/",
    "/api/v1/grants/{id}/history/",
    "/api/v1/grants/{grant_id}/tranches/",
    "/api/v1/grants/{grant_id}/tranches/{id}/",
    "/api/v1/grants/{grant_id}/tranches/{id}/make_due/",
    "/api/v1/grants/{grant_id}/tranches/{id}/approve/",
    "/api/v1/grants/{grant_id}/tranches/{id}/pay/",
    "/api/v1/grants/{grant_id}/reports/",
    "/api/v1/grants/{grant_id}/reports/{id}/",
    "/api/v1/grants/{grant_id}/reports/{id}/open/",
    "/api/v1/grants/{grant_id}/reports/{id}/submit/",
    "/api/v1/grants/{grant_id}/reports/{id}/approve/",
    "/api/v1/grants/{grant_id}/reports/{id}/request_changes/",
    "/api/v1/grants/{grant_id}/amendments/",
    "/api/v1/grants/{grant_id}/amendments/{id}/",
    "/api/v1/grants/{grant_id}/amendments/{id}/approve/",
    "/api/v1/grants/{grant_id}/amendments/{id}/reject/",
    "/api/v1/grants/{grant_id}/visits/",
    "/api/v1/grants/{grant_id}/visits/{id}/",
    "/api/v1/grants/{grant_id}/visits/{id}/actions/{action_id}/close/",
}


def test_it_generates_a_valid_schema_with_the_grants_api_and_no_warnings(tmp_path):
    # Raises CommandError on any warning or on a schema that does not validate.
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    schema = yaml.safe_load(path.read_text())
    assert set(schema["paths"]) >= GRANT_PATHS
    assert "patch" in schema["paths"]["/api/v1/grants/{grant_id}/reports/{id}/"]
    sign = schema["paths"]["/api/v1/grants/{id}/sign/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in sign
    components = schema["components"]["schemas"]
    assert set(components) >= {
        "GrantStateEnum",
        "TrancheStateEnum",
        "ReportStateEnum",
        "AmendmentStateEnum",
        "Statement",
    }
