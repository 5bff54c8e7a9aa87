"""Whoever may not see an award list gets 404 on it, and nothing they send changes it."""

import pytest

from applications.models import AwardList


@pytest.mark.parametrize(
    "outsider", ["a_reviewer", "applicant_a", "other_manager", "reviewer", None]
)
def test_it_answers_404_to_outsiders_on_award_lists(
    request, api_for, ranked_in_review, proposed, outsider
):
    if outsider == "a_reviewer":  # one who scored these very applications
        user = ranked_in_review["X"].assignments.first().reviewer
    else:
        user = request.getfixturevalue(outsider) if outsider else None
    api = api_for(user)
    base = f"/api/v1/award-lists/{proposed.pk}"
    for method, url, body in [
        ("get", f"{base}/", {}),
        ("post", f"{base}/approve/", {}),
        ("post", f"{base}/return/", {"comment": "No."}),
    ]:
        response = getattr(api, method)(url, body, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
    if user is not None:
        assert api.get("/api/v1/award-lists/").data["count"] == 0
    assert AwardList.objects.get().state == "proposed"
