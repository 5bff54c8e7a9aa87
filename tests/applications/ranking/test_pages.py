"""The ranking pages: the funding line, the CSV export and the reviewer analysis."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Application
from applications.services.review import assignments_auto_assign
from tests import factories as f


def test_the_ranking_draws_the_funding_line(client_for, manager, call, moderated_abc):
    page = client_for(manager).get(reverse("review-manage-ranking", args=[call.pk]))
    html = page.content.decode().split('id="ranking"')[1]
    order = [moderated_abc[k].reference for k in ("A", "B", "C")]
    positions = [html.index(ref) for ref in order]
    line = html.index('id="funding-line"')
    # A (86.00, award) above the line; C (60.00 consensus) and B (56.00) below, in reserve.
    assert positions[0] < line < positions[2] < positions[1]
    assert "86.00" in html and "60.00" in html and "56.00" in html
    assert "consensus score" in html
    assert "Tie-break:" in page.content.decode()
    assert "5,000.00 EUR" in page.content.decode()  # remaining


def test_the_ranking_takes_a_pinned_number_of_queries(
    client_for, call, manager, reviewer, second_reviewer, django_assert_num_queries
):
    client = client_for(manager)

    def count(n):
        apps = [f.eligible_application(call=call, manager=manager) for _ in range(n)]
        assignments_auto_assign(call=call, actor=manager)
        for app in apps:
            for a in app.assignments.all():
                f.score(a, {"Relevance": 4, "Feasibility": 3})
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("review-manage-ranking", args=[call.pk])).status_code == 200
        return len(queries)

    assert count(2) == count(6)
    # session, user, the user's roles (3), the call, the ranking (3)
    with django_assert_num_queries(10):
        client.get(reverse("review-manage-ranking", args=[call.pk]))


def test_the_csv_export_is_named_after_the_call(client_for, manager, call, moderated_abc):
    Application.objects.filter(pk=moderated_abc["B"].pk).update(title="x")
    moderated_abc["B"].organisation.legal_name = '=HYPERLINK("http://evil")'
    moderated_abc["B"].organisation.save()
    response = client_for(manager).get(reverse("review-manage-ranking-csv", args=[call.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="NAT-ranking.csv"'
    text = response.content.decode("utf-8-sig")
    assert text.startswith("rank,reference,applicant")
    assert "second@reviewers.example" in text  # every reviewer's scores
    assert "'=HYPERLINK" in text


def test_the_reviewer_analysis_is_labelled_as_analysis(client_for, manager, call, moderated_abc):
    page = client_for(manager).get(reverse("review-manage-analysis", args=[call.pk]))
    html = page.content.decode()
    assert "Analysis only: this page never changes the official ranking." in html
    assert "Second Expert" in html
