"""Starting an application from a call's page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from grants.models import Call
from tests import factories as f


def test_it_sends_anonymous_visitors_to_log_in_before_applying(client, call):
    body = client.get(reverse("call-detail", args=[call.pk])).content.decode()
    assert f"/accounts/login/?next=/calls/{call.pk}/apply/" in body


def test_it_creates_a_draft_and_opens_the_editor(client_for, applicant_a, org_a, call):
    client = client_for(applicant_a)
    assert client.get(reverse("call-apply", args=[call.pk])).status_code == 200
    response = client.post(
        reverse("call-apply", args=[call.pk]),
        {"organisation": org_a.pk, "title": "Green schoolyards"},
    )
    application = Application.objects.get(title="Green schoolyards")
    assert response.status_code == 302
    assert response["Location"] == reverse("application-edit", args=[application.pk])
    assert application.organisation == org_a
    assert application.created_by == applicant_a


def test_it_refuses_to_apply_for_someone_elses_organisation(client_for, applicant_a, org_b, call):
    response = client_for(applicant_a).post(
        reverse("call-apply", args=[call.pk]), {"organisation": org_b.pk, "title": "Not ours"}
    )
    assert response.status_code == 400
    assert not Application.objects.filter(title="Not ours").exists()


def test_it_refuses_to_start_an_application_to_a_closed_call(client_for, applicant_a, org_a, call):
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    client = client_for(applicant_a)
    response = client.post(
        reverse("call-apply", args=[call.pk]), {"organisation": org_a.pk, "title": "Too late"}
    )
    assert response.status_code == 200
    assert "not accepting applications" in response.content.decode()
    assert not Application.objects.filter(title="Too late").exists()


def test_it_asks_for_an_organisation_profile_before_applying(client_for, call):
    newcomer = f.UserFactory()
    response = client_for(newcomer).get(reverse("call-apply", args=[call.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("organisation-create"))
    assert f"next=/calls/{call.pk}/apply/" in response["Location"].replace("%2F", "/")


@pytest.mark.parametrize("who", ["applicant_b", "other_manager"])
def test_it_does_not_show_other_organisations_drafts_when_applying(
    request, client_for, draft, call, who
):
    user = request.getfixturevalue(who)
    f.MembershipFactory(user=user)  # so the apply page opens for the manager too
    body = client_for(user).get(reverse("call-apply", args=[call.pk])).content.decode()
    assert draft.title not in body
