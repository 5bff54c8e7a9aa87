"""Programmes through the API: started by an organisation's administrator, listed to the public with a published call and to their staff."""

from grants.models import Programme, ProgrammeRole


def test_it_starts_a_programme_and_makes_me_its_manager(api_for, applicant_a, org_a):
    response = api_for(applicant_a).post(
        "/api/v1/programmes/",
        {
            "title": "Local democracy fund",
            "owner": org_a.pk,
            "currency": "RSD",
            "budget": "12000000",
            "start_date": "2027-01-01",
            "end_date": "2028-12-31",
        },
    )
    assert response.status_code == 201, response.data
    assert response.data["my_roles"] == ["manager"]
    programme = Programme.objects.get(pk=response.data["id"])
    assert ProgrammeRole.objects.get(programme=programme).user == applicant_a


def test_it_refuses_a_programme_for_an_organisation_i_do_not_administer(
    api_for, colleague_a, applicant_b, org_a
):
    body = {
        "title": "Not mine",
        "owner": org_a.pk,
        "budget": "1000",
        "start_date": "2027-01-01",
        "end_date": "2027-12-31",
    }
    assert api_for(colleague_a).post("/api/v1/programmes/", body).status_code == 403
    outsider = api_for(applicant_b).post("/api/v1/programmes/", body)
    assert outsider.status_code == 400
    assert "owner" in outsider.data["errors"]
    assert not Programme.objects.filter(title="Not mine").exists()


def test_it_refuses_a_programme_that_ends_before_it_starts(api_for, applicant_a, org_a):
    response = api_for(applicant_a).post(
        "/api/v1/programmes/",
        {
            "title": "Backwards",
            "owner": org_a.pk,
            "budget": "1000",
            "start_date": "2027-01-01",
            "end_date": "2026-12-31",
        },
    )
    assert response.status_code == 400
    assert "end_date" in response.data["errors"]


def test_it_lists_programmes_with_a_published_call_and_those_i_staff(
    api_for, applicant_a, manager, programme, other_programme, call
):
    assert [
        row["id"] for row in api_for(applicant_a).get("/api/v1/programmes/").data["results"]
    ] == [programme.pk]
    assert api_for(applicant_a).get(f"/api/v1/programmes/{other_programme.pk}/").status_code == 404
    assert api_for(manager).get(f"/api/v1/programmes/{programme.pk}/").data["my_roles"] == [
        "manager"
    ]
