"""The review API in the OpenAPI schema: present, and valid without a warning."""

import yaml
from django.core.management import call_command

REVIEW_PATHS = {
    "/api/v1/assignments/",
    "/api/v1/assignments/{id}/",
    "/api/v1/assignments/{id}/declare/",
    "/api/v1/assignments/{id}/decline/",
    "/api/v1/assignments/{id}/submit/",
    "/api/v1/assignments/{id}/reopen/",
    "/api/v1/assignments/{id}/review/",
    "/api/v1/assignments/{id}/application/",
    "/api/v1/assignments/{id}/attachments/{attachment_id}/",
    "/api/v1/assignments/{id}/other-reviews/",
    "/api/v1/calls/{call_id}/auto-assign/",
    "/api/v1/calls/{call_id}/ranking/",
    "/api/v1/calls/{call_id}/ranking.csv",
    "/api/v1/calls/{call_id}/reviewer-analysis/",
    "/api/v1/applications/{id}/consensus/",
    "/api/v1/award-lists/",
    "/api/v1/award-lists/{id}/",
    "/api/v1/award-lists/{id}/approve/",
    "/api/v1/award-lists/{id}/return/",
}


def test_it_generates_a_valid_schema_with_the_review_api_and_no_warnings(tmp_path):
    # Raises CommandError on any warning or on a schema that does not validate.
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    schema = yaml.safe_load(path.read_text())
    assert set(schema["paths"]) >= REVIEW_PATHS
    review = schema["paths"]["/api/v1/assignments/{id}/review/"]
    assert set(review) >= {"get", "patch"}
    components = schema["components"]["schemas"]
    assert set(components) >= {"AssignmentStateEnum", "AwardListStateEnum", "Ranking", "Review"}
    csv = schema["paths"]["/api/v1/calls/{call_id}/ranking.csv"]["get"]["responses"]["200"]
    assert "text/csv" in csv["content"]
