from decimal import Decimal

from applications.selectors.ranking import call_ranking, ranking_csv, reviewer_normalisation
from grants.models import Criterion


def test_the_ranking_matches_the_hand_computed_example(moderated_a_to_f, call):
    ranking = call_ranking(call)
    by_app = {row.application.pk: row for row in ranking.rows}
    got = {
        key: (by_app[app.pk].rank, by_app[app.pk].total, by_app[app.pk].proposal)
        for key, app in moderated_a_to_f.items()
    }
    assert got == {
        "A": (1, Decimal("80.00"), "award"),
        "B": (2, Decimal("80.00"), "award"),
        "C": (3, Decimal("75.00"), "reserve"),
        "E": (4, Decimal("60.00"), "reserve"),
        "D": (5, Decimal("57.50"), "reject"),
        "F": (6, Decimal("55.83"), "award"),
    }
    c_row = by_app[moderated_a_to_f["C"].pk]
    relevance = next(c for c in ranking.criteria if c.title == "Relevance")
    assert c_row.scores[relevance.pk] == Decimal("4.00") and relevance.pk in c_row.consensus
    assert by_app[moderated_a_to_f["D"].pk].failed == ["Relevance"]
    assert ranking.proposed_total == Decimal("28000")


def test_the_ranking_takes_a_pinned_number_of_queries(
    moderated_a_to_f, call, django_assert_num_queries
):
    with django_assert_num_queries(3):
        call_ranking(call)


def test_the_csv_lists_every_reviewers_score(moderated_a_to_f, call):
    text = ranking_csv(call_ranking(call))
    lines = text.splitlines()
    assert lines[0].startswith("rank,reference,applicant")
    assert len(lines) == 1 + 6 * 3  # a ranking row and two review rows per application
    assert "4.00 (consensus)" in text


def test_the_normalisation_is_an_analysis_only(moderated_a_to_f, call):
    before = [(r.application.pk, r.rank) for r in call_ranking(call).rows]
    profiles, rows = reviewer_normalisation(call)
    assert len(profiles) == 2 and len(rows) == 6
    assert [(r.application.pk, r.rank) for r in call_ranking(call).rows] == before


def test_criteria_fixture_is_what_the_example_assumes(scheme_a_to_f):
    assert [c.title for c in Criterion.objects.order_by("order")] == [
        "Relevance",
        "Feasibility",
        "Budget",
    ]


def test_the_csv_never_lets_a_name_run_as_a_formula(moderated_a_to_f, call):
    organisation = moderated_a_to_f["A"].organisation
    organisation.legal_name = '=HYPERLINK("http://evil.example","x")'
    organisation.save()
    text = ranking_csv(call_ranking(call))
    assert "'=HYPERLINK" in text
    assert ',"=HYPERLINK' not in text and ",=HYPERLINK" not in text
