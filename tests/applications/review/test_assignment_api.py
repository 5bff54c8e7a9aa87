"""Assignments through the API: the conflict-of-interest gate, blind review, replacement after
a conflict, manual and automatic assignment, reopening."""

from applications.models import Application, ReviewAssignment
from applications.services.review import assignment_declare, review_save
from grants.models import Call
from tests import factories as f


def url(assignment, suffix: str = "") -> str:
    return f"/api/v1/assignments/{assignment.pk}/{suffix}"


def test_it_lists_only_the_reviewers_own_assignments(api_for, assigned):
    response = api_for(assigned["first"]).get("/api/v1/assignments/")
    assert response.status_code == 200
    assert [row["id"] for row in response.data["results"]] == [assigned["mine"].pk]
    row = response.data["results"][0]
    assert row["state"] == "invited"
    assert row["available_transitions"] == ["declare", "decline"]
    assert row["application_title"] == assigned["application"].title
    assert row["call_title"] == assigned["application"].call.title
    assert row["due_at"]
    assert "answers" not in row and "budget_lines" not in row  # never the content
    assert api_for(assigned["outsider"]).get("/api/v1/assignments/").data["count"] == 0


def test_it_answers_404_to_a_reviewer_on_an_unassigned_assignment(api_for, assigned):
    api = api_for(assigned["outsider"])
    for suffix in ("", "application/", "review/", "other-reviews/"):
        response = api.get(url(assigned["mine"], suffix))
        assert response.status_code == 404, suffix
        assert response.data["code"] == "not_found"


def test_it_opens_the_content_only_after_declaring_no_conflict(api_for, assigned):
    api = api_for(assigned["first"])
    assert api.get(url(assigned["mine"], "application/")).status_code == 404

    response = api.post(url(assigned["mine"], "declare/"), {"conflict": False})
    assert response.status_code == 200, response.data
    assert response.data["state"] == "accepted"
    assert response.data["available_transitions"] == ["submit"]

    response = api.get(url(assigned["mine"], "application/"))
    assert response.status_code == 200
    assert response.data["id"] == assigned["application"].pk
    assert response.data["organisation"]["legal_name"] == "Youth Initiative Novi Sad"
    assert {a["label"] for a in response.data["answers"]} >= {"Project summary"}
    assert response.data["totals"]["requested"] == "9000.00"


def test_it_hides_the_applicant_from_reviewers_in_blind_review(api_for, assigned, manager):
    Call.objects.filter(pk=assigned["application"].call_id).update(blind_review=True)
    f.PartnerFactory(application=assigned["application"], organisation__legal_name="Ally Tuzla")
    api = api_for(assigned["first"])
    assert api.get(url(assigned["mine"])).data["applicant"] is None
    listed = api.get("/api/v1/assignments/").data["results"][0]
    assert listed["applicant"] is None
    api.post(url(assigned["mine"], "declare/"), {"conflict": False})
    content = api.get(url(assigned["mine"], "application/"))
    assert content.status_code == 200
    assert content.data["organisation"] is None
    # Partners and file names would give the applicant away too.
    [partner] = content.data["partners"]
    assert (partner["label"], partner["organisation"]) == ("Partner 1", None)
    [file] = content.data["attachments"]
    assert file["name"] == f"attachment-{file['id']}.pdf"
    download = api.get(file["download_url"])
    assert "statute" not in download["Content-Disposition"]
    text = content.content.decode()
    assert "Youth Initiative" not in text and "Ally Tuzla" not in text and "statute" not in text
    # The programme's staff still see who applied.
    staff_view = api_for(manager).get(url(assigned["mine"]))
    assert staff_view.data["applicant"]["legal_name"] == "Youth Initiative Novi Sad"


def test_it_shows_partners_and_file_names_when_the_call_is_not_blind(api_for, assigned):
    f.PartnerFactory(application=assigned["application"], organisation__legal_name="Ally Tuzla")
    api = api_for(assigned["first"])
    api.post(url(assigned["mine"], "declare/"), {"conflict": False})
    content = api.get(url(assigned["mine"], "application/")).data
    assert content["partners"][0]["label"] == "Ally Tuzla"
    assert content["partners"][0]["organisation"]["legal_name"] == "Ally Tuzla"
    assert content["attachments"][0]["name"] == "statute.pdf"


def test_it_shows_the_applicant_when_the_call_is_not_blind(api_for, assigned):
    response = api_for(assigned["first"]).get(url(assigned["mine"]))
    assert response.data["applicant"]["legal_name"] == "Youth Initiative Novi Sad"


def test_it_assigns_a_replacement_after_a_declared_conflict(api_for, assigned):
    response = api_for(assigned["first"]).post(
        url(assigned["mine"], "declare/"), {"conflict": True, "reason": "I chair their board."}
    )
    assert response.status_code == 200, response.data
    assert response.data["state"] == "recused"
    assert response.data["conflict_reason"] == "I chair their board."
    active = assigned["application"].assignments.filter(state__in=ReviewAssignment.ACTIVE)
    assert set(active.values_list("reviewer", flat=True)) == {
        assigned["second"].pk,
        assigned["outsider"].pk,
    }
    # A recused reviewer never sees the content.
    assert api_for(assigned["first"]).get(url(assigned["mine"], "application/")).status_code == 404


def test_it_requires_a_reason_for_a_conflict(api_for, assigned):
    response = api_for(assigned["first"]).post(
        url(assigned["mine"], "declare/"), {"conflict": True}
    )
    assert response.status_code == 400
    assert "reason" in response.data["errors"]
    assert ReviewAssignment.objects.get(pk=assigned["mine"].pk).state == "invited"


def test_it_refuses_a_second_declaration(api_for, assigned):
    api = api_for(assigned["first"])
    api.post(url(assigned["mine"], "declare/"), {"conflict": False})
    response = api.post(url(assigned["mine"], "declare/"), {"conflict": True, "reason": "x"})
    assert response.status_code == 409
    assert response.data["code"] == "invalid_state"


def test_it_lets_a_reviewer_decline_and_fills_the_gap(api_for, assigned):
    response = api_for(assigned["first"]).post(
        url(assigned["mine"], "decline/"), {"comment": "Travelling all month."}
    )
    assert response.status_code == 200, response.data
    assert response.data["state"] == "declined"
    assert assigned["application"].assignments.filter(reviewer=assigned["outsider"]).exists()


def test_it_answers_403_to_the_manager_declaring_for_the_reviewer(api_for, assigned, manager):
    response = api_for(manager).post(url(assigned["mine"], "declare/"), {"conflict": False})
    assert response.status_code == 403
    assert ReviewAssignment.objects.get(pk=assigned["mine"].pk).state == "invited"


def test_it_hides_the_review_and_content_from_the_manager(api_for, assigned, manager):
    assignment_declare(assignment=assigned["mine"], actor=assigned["first"], conflict=False)
    api = api_for(manager)
    assert api.get(url(assigned["mine"])).status_code == 200  # the assignment: yes
    for suffix in ("application/", "review/", "other-reviews/"):
        assert api.get(url(assigned["mine"], suffix)).status_code == 404, suffix


def test_it_lists_the_calls_assignments_to_the_manager_with_filters(api_for, assigned, manager):
    api = api_for(manager)
    response = api.get("/api/v1/assignments/", {"call": assigned["application"].call_id})
    assert response.data["count"] == 2
    assert {row["reviewer"] for row in response.data["results"]} == {
        assigned["first"].pk,
        assigned["second"].pk,
    }
    mine = api.get("/api/v1/assignments/", {"reviewer": assigned["first"].pk}).data
    assert [row["id"] for row in mine["results"]] == [assigned["mine"].pk]
    assert api.get("/api/v1/assignments/", {"state": "accepted"}).data["count"] == 0
    assert api.get("/api/v1/assignments/", {"call": 999999}).data["count"] == 0
    assert api.get("/api/v1/assignments/", {"application": 999999}).data["count"] == 0


def test_it_counts_scored_criteria_once_each(api_for, assigned):
    assignment_declare(assignment=assigned["mine"], actor=assigned["first"], conflict=False)
    relevance = assigned["application"].call.criteria.get(title="Relevance")
    review_save(
        assignment=assigned["mine"], actor=assigned["first"], scores={relevance.pk: {"score": 4}}
    )
    row = api_for(assigned["first"]).get(url(assigned["mine"])).data
    assert (row["scored"], row["criteria_count"]) == (1, 2)


def test_it_auto_assigns_for_the_manager_and_reports_the_count(
    api_for, call, manager, eligible_factory, pool
):
    Call.objects.filter(pk=call.pk).update(reviewers_per_application=2)
    for _ in range(3):
        eligible_factory()
    pool(3)
    response = api_for(manager).post(f"/api/v1/calls/{call.pk}/auto-assign/")
    assert response.status_code == 200, response.data
    assert response.data == {"created": 6}
    assert set(Application.objects.filter(call=call).values_list("state", flat=True)) == {
        "in_review"
    }
    again = api_for(manager).post(f"/api/v1/calls/{call.pk}/auto-assign/")
    assert again.data == {"created": 0}  # only fills gaps


def test_it_answers_404_to_another_programmes_manager_auto_assigning(
    api_for, call, other_manager, eligible_factory, pool
):
    eligible_factory()
    pool(2)
    response = api_for(other_manager).post(f"/api/v1/calls/{call.pk}/auto-assign/")
    assert response.status_code == 404
    assert not ReviewAssignment.objects.exists()


def test_it_answers_403_to_an_observer_auto_assigning(api_for, call, observer, eligible_factory):
    eligible_factory()
    response = api_for(observer).post(f"/api/v1/calls/{call.pk}/auto-assign/")
    assert response.status_code == 403


def test_it_assigns_a_reviewer_by_hand(api_for, assigned, manager):
    extra = f.CallReviewerFactory(call=assigned["application"].call).user
    response = api_for(manager).post(
        "/api/v1/assignments/",
        {"application": assigned["application"].pk, "reviewer": extra.pk},
    )
    assert response.status_code == 201, response.data
    assert response.data["reviewer"] == extra.pk
    assert response.data["state"] == "invited"


def test_it_refuses_a_reviewer_against_an_exclusion_rule(api_for, assigned, manager, org_a):
    member = f.CallReviewerFactory(call=assigned["application"].call).user
    f.MembershipFactory(user=member, organisation=org_a)
    response = api_for(manager).post(
        "/api/v1/assignments/",
        {"application": assigned["application"].pk, "reviewer": member.pk},
    )
    assert response.status_code == 400
    assert "member of the applicant organisation" in response.data["errors"]["reviewer"][0]
    assert not ReviewAssignment.objects.filter(reviewer=member).exists()


def test_it_refuses_a_reviewer_outside_the_managers_pools(api_for, assigned, manager):
    stranger = f.UserFactory()
    response = api_for(manager).post(
        "/api/v1/assignments/",
        {"application": assigned["application"].pk, "reviewer": stranger.pk},
    )
    assert response.status_code == 400
    assert "reviewer" in response.data["errors"]


def test_it_refuses_manual_assignment_by_another_programmes_manager(
    api_for, assigned, other_manager
):
    response = api_for(other_manager).post(
        "/api/v1/assignments/",
        {"application": assigned["application"].pk, "reviewer": assigned["outsider"].pk},
    )
    assert response.status_code == 400
    assert set(response.data["errors"]) == {"application", "reviewer"}
    assert assigned["application"].assignments.count() == 2


def test_it_lets_the_moderator_reopen_a_submitted_review(api_for, assigned, manager):
    f.score(assigned["mine"], {"Relevance": 4, "Feasibility": 4})
    response = api_for(assigned["first"]).post(url(assigned["mine"], "reopen/"))
    assert response.status_code == 403  # not the reviewer
    response = api_for(manager).post(url(assigned["mine"], "reopen/"), {"comment": "Recheck."})
    assert response.status_code == 200, response.data
    assert response.data["state"] == "reopened"
    assert response.data["available_transitions"] == []  # the manager cannot submit it
    mine = api_for(assigned["first"]).get(url(assigned["mine"])).data
    assert mine["available_transitions"] == ["submit"]
