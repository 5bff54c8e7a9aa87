"""The one way a page answers a service's refusal (workflows.refusals), and the one way a
policy is asked for (workflows.permissions), tested on their own."""

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from accounts.models import User
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.permissions import fsm_permission, refusal, require
from workflows.refusals import RefusalMiddleware, refusal_as_message, refusal_on_form
from workflows.selectors import object_or_404


def _request(path="/somewhere/", **headers):
    request = RequestFactory().post(path, **headers)
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    request._messages = FallbackStorage(request)
    return request


def test_it_tells_a_conflict_as_a_message_and_skips_the_rest_of_the_block():
    request = _request()
    done = []
    with refusal_as_message(request) as refused:
        raise TransitionConflict("The call is closed.", code="call_closed")
        done.append("never")
    assert refused and isinstance(refused.error, TransitionConflict)
    assert done == []
    assert [str(m) for m in get_messages(request)] == ["The call is closed."]


def test_it_lets_a_refusal_it_was_not_told_about_through():
    request = _request()
    with pytest.raises(NotPermitted), refusal_as_message(request):
        raise NotPermitted("No.")
    with refusal_as_message(request, NotPermitted) as refused:
        raise NotPermitted("No.")
    assert refused


def test_a_block_that_was_not_refused_says_so():
    with refusal_as_message(_request()) as refused:
        pass
    assert not refused


class AmountForm(forms.Form):
    amount = forms.DecimalField()


def test_it_puts_rule_errors_on_the_form_fields_and_the_rest_on_the_form():
    form = AmountForm(data={"amount": "5"})
    assert form.is_valid()
    with refusal_on_form(form):
        raise RuleViolation({"amount": ["Too much."], "budget": ["Over budget."]})
    assert form.errors["amount"] == ["Too much."]
    assert form.non_field_errors() == ["Over budget."]


def test_it_maps_a_service_key_to_the_form_field_through_aliases():
    form = AmountForm(data={"amount": "5"})
    assert form.is_valid()
    with refusal_on_form(form, aliases={"amount_requested": "amount"}):
        raise RuleViolation({"amount_requested": ["Too much."]})
    assert form.errors["amount"] == ["Too much."]


def test_an_uncaught_conflict_is_a_409_page_with_the_reason_not_a_server_error(rf):
    request = rf.post("/x/")
    request.user = AnonymousUser()
    response = RefusalMiddleware(lambda r: None).process_exception(
        request, TransitionConflict("Someone changed it meanwhile.", code="stale_version")
    )
    assert response.status_code == 409
    assert "Someone changed it meanwhile." in response.content.decode()


def test_an_uncaught_rule_violation_is_a_400_and_htmx_gets_the_fragment(rf):
    request = rf.post("/x/", HTTP_HX_REQUEST="true")
    request.htmx = True
    request.user = AnonymousUser()
    response = RefusalMiddleware(lambda r: None).process_exception(
        request, RuleViolation({"amount": ["Too much."]})
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Too much." in body and "<html" not in body


def test_it_leaves_other_errors_to_django(rf):
    assert RefusalMiddleware(lambda r: None).process_exception(rf.get("/"), ValueError()) is None


# Policies -----------------------------------------------------------------------------------


@refusal("Only the owner.")
def can_touch_thing(*, user, thing) -> bool:
    return thing["owner"] == user


def test_require_says_the_policys_refusal_and_is_a_403():
    with pytest.raises(NotPermitted, match=r"Only the owner\.") as raised:
        require(can_touch_thing, user="bob", thing={"owner": "alice"})
    assert isinstance(raised.value, PermissionDenied)
    require(can_touch_thing, user="alice", thing={"owner": "alice"})  # holds: nothing raised


def test_require_says_the_callers_message_when_given():
    with pytest.raises(NotPermitted, match=r"Not yours\."):
        require(can_touch_thing, user="bob", thing={"owner": "alice"}, message="Not yours.")


def test_fsm_permission_hands_instance_and_user_over_by_keyword():
    permission = fsm_permission(can_touch_thing)
    assert permission({"owner": "alice"}, "alice") is True
    assert permission({"owner": "alice"}, "bob") is False
    assert permission.policy is can_touch_thing


def test_fsm_permission_refuses_a_policy_it_cannot_call():
    def two_objects(*, user, a, b):
        return True

    with pytest.raises(TypeError):
        fsm_permission(two_objects)


# Fetching for the user -----------------------------------------------------------------------


def test_object_or_404_answers_404_for_a_missing_row_and_for_a_key_that_is_not_a_number(db):
    user = User.objects.create_user(email="a@example.org", password="x")
    users = User.objects.all()
    assert object_or_404(users, user.pk) == user
    assert object_or_404(users, str(user.pk)) == user
    for key in (user.pk + 1, "abc", None, "1e3"):
        with pytest.raises(Http404):
            object_or_404(users, key)
    with pytest.raises(Http404):  # scoped out: someone else's queryset
        object_or_404(users.exclude(pk=user.pk), user.pk)


def test_a_models_own_validation_error_lands_on_the_form_too():
    from django.core.exceptions import ValidationError

    form = AmountForm(data={"amount": "5"})
    assert form.is_valid()
    with refusal_on_form(form):
        raise ValidationError({"amount": ["Not a round number."], "budget": ["Over."]})
    assert form.errors["amount"] == ["Not a round number."]
    assert form.non_field_errors() == ["Over."]


def test_every_refusal_is_a_service_error_and_not_permitted_is_left_to_djangos_403(rf):
    from workflows.exceptions import ServiceError

    for error in (NotPermitted("No."), TransitionConflict("Closed."), RuleViolation({"a": ["b"]})):
        assert isinstance(error, ServiceError)
    assert (
        RefusalMiddleware(lambda r: None).process_exception(rf.get("/"), NotPermitted("No."))
        is None
    )


def test_a_form_can_take_a_conflict_as_its_own_error_and_otherwise_lets_it_through():
    form = AmountForm(data={"amount": "5"})
    assert form.is_valid()
    with refusal_on_form(form, conflicts=True):
        raise TransitionConflict("Already a partner.", code="duplicate")
    assert form.non_field_errors() == ["Already a partner."]
    with pytest.raises(TransitionConflict), refusal_on_form(AmountForm(data={"amount": "5"})):
        raise TransitionConflict("Closed.")
