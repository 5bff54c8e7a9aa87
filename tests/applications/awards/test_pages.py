"""The maker–checker decision on the award list, and the applicant's outcome page."""

import pytest
from django.urls import reverse

from applications.models import Application, AwardList
from applications.services.awards import award_list_propose

OUTSIDERS = ["other_manager", "applicant_b", "reviewer"]


def test_a_lower_amount_needs_a_reason(client_for, manager, call, in_review_abc):
    url = reverse("review-manage-propose", args=[call.pk])
    pk = in_review_abc["A"].pk
    response = client_for(manager).post(url, {f"amount_{pk}": "9000.00", f"reason_{pk}": ""})
    assert response.status_code == 400
    assert "Give the reason for lowering the amount." in response.content.decode()
    response = client_for(manager).post(url, {f"amount_{pk}": "12000", f"reason_{pk}": "x"})
    assert response.status_code == 400
    assert "can be lowered, not raised" in response.content.decode()
    assert not AwardList.objects.exists()


def test_the_proposer_cannot_approve_and_the_approver_can(
    client_for, manager, approver, applicant_a, call, in_review_abc
):
    pk = in_review_abc["A"].pk
    client = client_for(manager)
    response = client.post(
        reverse("review-manage-propose", args=[call.pk]),
        {f"amount_{pk}": "9500", f"reason_{pk}": "Equipment not eligible", "comment": "As ranked"},
    )
    assert response.status_code == 302
    award_list = AwardList.objects.get()
    page = client.get(reverse("review-manage-decision", args=[call.pk])).content.decode()
    assert "you cannot approve it" in page
    assert "Approve the award list</button>" not in page

    response = client.post(reverse("review-manage-approve", args=[award_list.pk]))
    assert response.status_code == 403
    assert "The person who proposed the list cannot approve it." in response.content.decode()
    assert AwardList.objects.get().state == "proposed"

    client = client_for(approver)
    page = client.get(reverse("review-manage-decision", args=[call.pk])).content.decode()
    assert "Approve the award list</button>" in page
    response = client.post(
        reverse("review-manage-approve", args=[award_list.pk]), {"comment": "Fine"}, follow=True
    )
    page = response.content.decode()
    assert "The award list is approved." in page
    assert "9,500.00 EUR" in page
    states = {k: Application.objects.get(pk=a.pk).state for k, a in in_review_abc.items()}
    assert states == {"A": "awarded", "B": "reserve", "C": "reserve"}


def test_an_observer_cannot_approve(client_for, manager, observer, call, in_review_abc):
    award_list = award_list_propose(call=call, actor=manager)
    response = client_for(observer).post(reverse("review-manage-approve", args=[award_list.pk]))
    assert response.status_code == 403
    assert AwardList.objects.get().state == "proposed"


def test_the_approver_returns_the_list_with_a_comment(
    client_for, manager, approver, call, in_review_abc
):
    award_list = award_list_propose(call=call, actor=manager)
    client = client_for(approver)
    url = reverse("review-manage-return", args=[award_list.pk])
    response = client.post(url, {"comment": ""})
    assert response.status_code == 400
    assert "Say what should change." in response.content.decode()
    response = client.post(url, {"comment": "Check B's budget"}, follow=True)
    assert "Check B&#x27;s budget" in response.content.decode()
    assert AwardList.objects.get().state == "returned"
    assert set(Application.objects.values_list("state", flat=True)) == {"reviewed"}


def test_the_applicant_sees_the_outcome_without_reviewer_names(
    client_for, manager, approver, call, in_review_abc
):
    a = in_review_abc["A"]
    member = a.organisation.members.first()
    url = reverse("review-outcome", args=[a.pk])
    assert "No decision yet" in client_for(member).get(url).content.decode()
    award_list = award_list_propose(call=call, actor=manager)
    from applications.services.awards import award_list_approve

    award_list_approve(award_list=award_list, actor=approver)
    page = client_for(member).get(url).content.decode()
    assert "Your application is awarded a grant" in page
    assert "10,000.00 EUR" in page
    assert "Total score: 86.00" in page
    assert "A comment by expert" in page  # the comments, without who wrote them
    assert "@reviewers.example" not in page and "Second Expert" not in page
    b_member = in_review_abc["B"].organisation.members.first()
    page = client_for(b_member).get(reverse("review-outcome", args=[in_review_abc["B"].pk]))
    assert "reserve list" in page.content.decode()


@pytest.mark.parametrize("persona", ["applicant_b", "reviewer", "manager", "other_manager"])
def test_the_outcome_is_for_the_applicant_only(client_for, request, application, persona):
    url = reverse("review-outcome", args=[application.pk])
    assert client_for(request.getfixturevalue(persona)).get(url).status_code == 404


def test_the_outcome_sends_anonymous_visitors_to_log_in(client, application):
    response = client.get(reverse("review-outcome", args=[application.pk]))
    assert response.status_code == 302


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_cannot_decide_on_an_award_list(
    client_for, request, manager, call, in_review_abc, persona
):
    award_list = award_list_propose(call=call, actor=manager)
    client = client_for(request.getfixturevalue(persona))
    for name in ("review-manage-approve", "review-manage-return"):
        response = client.post(reverse(name, args=[award_list.pk]), {"comment": "x"})
        assert response.status_code == 404, name
    assert AwardList.objects.get().state == "proposed"
