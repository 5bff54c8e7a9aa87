"""The operators' admin: every page opens; state changes only through the services."""

import datetime as dt
from io import StringIO

import pytest
from django import forms
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from applications.models import Application, AwardList, ConsensusScore, Review, ReviewAssignment
from applications.services.applications import application_submit
from applications.services.awards import award_list_propose
from applications.services.review import assignments_auto_assign
from applications.services.screening import application_screen
from grants.models import Call, CallReviewer, Grant, ProgrammeRole
from grants.services.calls import call_close, call_start_review
from tests import factories as f
from workflows.models import TransitionLog


@pytest.fixture
def operator(db):
    return User.objects.create_superuser("ops@regrant.example", f.PASSWORD)


@pytest.fixture
def admin_client(client, operator):
    client.force_login(operator)
    return client


def _form_data(form: forms.BaseForm) -> dict:
    """What a browser would post for `form` as rendered (its initial or bound values)."""
    data = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        value = form[name].value()
        if isinstance(field.widget, forms.MultiWidget) and not isinstance(value, list):
            for index, part in enumerate(field.widget.decompress(value)):
                data[f"{key}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
        elif value is not None:
            data[key] = str(value)
    return data


def _change_form_post(response, **extra) -> dict:
    """The POST of an admin change page: the main form and every inline formset, unchanged."""
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        data |= _form_data(inline.formset.management_form)
        for form in inline.formset.forms:
            data |= _form_data(form)
    return data | extra


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_it_opens_every_changelist_change_and_add_page(admin_client):
    call_command("seed_demo", "--force", stdout=StringIO())

    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert admin_client.get(changelist).status_code == 200, changelist
        for obj in model.objects.all()[:3]:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            assert admin_client.get(change).status_code == 200, change
        request = admin_client.get(changelist).wsgi_request
        if model_admin.has_add_permission(request):
            add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
            assert admin_client.get(add).status_code == 200, add


def test_it_publishes_a_call_through_the_service(admin_client, operator, programme):
    ProgrammeRole.objects.create(user=operator, programme=programme, role="manager")
    call = f.CallFactory(programme=programme, state=Call.State.DRAFT)
    f.CallQuestionFactory(call=call)
    f.CriterionFactory(call=call)
    url = reverse("admin:grants_call_change", args=[call.pk])
    page = admin_client.get(url)
    assert b'name="_fsm_transition_to"' in page.content
    assert b'value="publish"' in page.content

    response = admin_client.post(
        url, _change_form_post(page, _fsm_transition_to="publish"), follow=True
    )

    call.refresh_from_db()
    assert call.state == Call.State.OPEN
    assert call.published_at is not None
    (log,) = TransitionLog.objects.for_object(call)
    assert (log.transition, log.from_state, log.to_state, log.actor) == (
        "publish",
        "draft",
        "open",
        operator,
    )
    assert "Done: Publish" in _messages(response)


def test_it_shows_a_refusal_of_the_service_and_changes_nothing(admin_client, operator, programme):
    ProgrammeRole.objects.create(user=operator, programme=programme, role="manager")
    late = f.CallFactory(
        programme=programme,
        state=Call.State.DRAFT,
        opens_at=timezone.now() - dt.timedelta(days=10),
        closes_at=timezone.now() - dt.timedelta(days=1),
    )
    url = reverse("admin:grants_call_change", args=[late.pk])
    page = admin_client.get(url)

    response = admin_client.post(
        url, _change_form_post(page, _fsm_transition_to="publish"), follow=True
    )

    late.refresh_from_db()
    assert late.state == Call.State.DRAFT
    assert not TransitionLog.objects.for_object(late).exists()
    assert "closing time has passed" in _messages(response)


def test_it_refuses_an_operator_without_a_programme_role(admin_client, programme):
    call = f.CallFactory(programme=programme, state=Call.State.DRAFT)
    url = reverse("admin:grants_call_change", args=[call.pk])
    page = admin_client.get(url)
    assert b'value="publish"' in page.content  # offered: the service decides

    response = admin_client.post(
        url, _change_form_post(page, _fsm_transition_to="publish"), follow=True
    )

    call.refresh_from_db()
    assert call.state == Call.State.DRAFT
    assert not TransitionLog.objects.for_object(call).exists()
    assert "not allowed" in _messages(response)


def test_it_refuses_a_transition_that_has_no_service(admin_client, operator, programme):
    ProgrammeRole.objects.create(user=operator, programme=programme, role="manager")
    call = f.CallFactory(programme=programme, state=Call.State.DRAFT)
    url = reverse("admin:grants_call_change", args=[call.pk])
    page = admin_client.get(url)

    response = admin_client.post(
        url, _change_form_post(page, _fsm_transition_to="delete"), follow=True
    )

    call.refresh_from_db()
    assert call.state == Call.State.DRAFT
    assert "not available" in _messages(response)


def test_it_keeps_a_published_calls_rules_read_only(admin_client, call):
    page = admin_client.get(reverse("admin:grants_call_change", args=[call.pk]))
    form = page.context["adminform"].form

    assert "min_grant" not in form.fields
    assert "eligible_countries" not in form.fields
    assert "closes_at" in form.fields and "title" in form.fields
    assert not page.context["inline_admin_formsets"][0].has_change_permission  # questions


def test_it_screens_an_application_ineligible_with_a_reason(
    admin_client, operator, draft, applicant_a
):
    ProgrammeRole.objects.create(user=operator, programme=draft.call.programme, role="manager")
    application = application_submit(application=draft, actor=applicant_a)
    page = admin_client.get(reverse("admin:applications_application_change", args=[draft.pk]))
    assert b'value="mark_ineligible"' in page.content
    url = reverse("admin:applications_application_transition", args=[draft.pk, "mark_ineligible"])

    without_reason = admin_client.post(url, {"reason": ""})
    application.refresh_from_db()
    assert without_reason.status_code == 200
    assert application.state == Application.State.SUBMITTED

    admin_client.post(url, {"reason": "Registered after the cut-off date."})

    application.refresh_from_db()
    assert application.state == Application.State.INELIGIBLE
    assert application.eligibility_reason == "Registered after the cut-off date."
    assert application.screened_by == operator
    log = TransitionLog.objects.for_object(application).last()
    assert (log.transition, log.actor) == ("mark_ineligible", operator)


def test_it_keeps_the_transition_log_append_only(admin_client, call):
    from grants.services.calls import call_close

    manager = f.ProgrammeRoleFactory(programme=call.programme).user
    call_close(call=call, actor=manager)
    log = TransitionLog.objects.get()

    add = admin_client.get(reverse("admin:workflows_transitionlog_add"))
    delete = admin_client.post(
        reverse("admin:workflows_transitionlog_delete", args=[log.pk]), {"post": "yes"}
    )
    change = admin_client.post(
        reverse("admin:workflows_transitionlog_change", args=[log.pk]), {"comment": "edited"}
    )

    assert add.status_code == 403
    assert delete.status_code == 403
    assert change.status_code == 403
    log.refresh_from_db()
    assert log.comment == ""


def test_it_creates_a_user_by_email(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Person@Example.org",
            "full_name": "New Person",
            "usable_password": "true",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(email="new.person@example.org").check_password(
        "a-long-enough-passphrase"
    )


def test_it_sends_a_non_staff_user_to_the_login_page(client, applicant_a):
    client.force_login(applicant_a)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# Review and selection -----------------------------------------------------------------


def test_it_opens_the_review_and_selection_pages(admin_client):
    call_command("seed_demo", "--force", stdout=StringIO())
    decided = Call.objects.get(state=Call.State.DECIDED)
    pages = []
    for model in (ReviewAssignment, Review, ConsensusScore, AwardList, Grant):
        opts = model._meta
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        pages += [
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
            for pk in model.objects.values_list("pk", flat=True)
        ]
    changelist = reverse("admin:applications_reviewassignment_changelist")
    pages += [
        f"{changelist}?state__exact=invited",
        f"{changelist}?application__call__id__exact={decided.pk}",
        f"{reverse('admin:applications_awardlist_changelist')}?state__exact=proposed",
    ]
    for url in pages:
        assert admin_client.get(url).status_code == 200, url

    page = admin_client.get(reverse("admin:grants_call_change", args=[decided.pk]))
    fields = page.context["adminform"].form.fields
    assert "review_due_at" in fields
    assert "score_step" not in fields and "blind_review" not in fields  # fixed once reviewed
    assert b"Blind review" in page.content
    pool = next(
        i.formset for i in page.context["inline_admin_formsets"] if i.formset.model is CallReviewer
    )
    assert {"country", "capacity"} <= set(pool.forms[0].fields)


@pytest.fixture
def application_in_review(call, manager, draft):
    """`draft` submitted, eligible and in review with two invited reviewers."""
    application_submit(application=draft, actor=draft.created_by)
    call_close(call=call, actor=manager)
    application_screen(application=draft, actor=manager, eligible=True)
    call_start_review(call=call, actor=manager)
    f.CallReviewerFactory(call=call)
    f.CallReviewerFactory(call=call)
    assignments_auto_assign(call=call, actor=manager)
    return draft


@pytest.fixture
def proposed_by_operator(application_in_review, approver, operator):
    """An award list the operator proposed, as a manager who also holds the approver role."""
    programme = application_in_review.call.programme
    ProgrammeRole.objects.create(user=operator, programme=programme, role="manager")
    ProgrammeRole.objects.create(user=operator, programme=programme, role="approver")
    for assignment in application_in_review.assignments.all():
        f.score(assignment, {"Relevance": 4, "Feasibility": 3.5})
    return award_list_propose(call=application_in_review.call, actor=operator)


def _staff(user: User) -> User:
    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    return User.objects.get(pk=user.pk)


def test_it_refuses_the_proposer_approving_their_own_award_list(
    admin_client, proposed_by_operator, draft
):
    url = reverse("admin:applications_awardlist_change", args=[proposed_by_operator.pk])
    page = admin_client.get(url)
    assert b'value="approve"' in page.content

    response = admin_client.post(
        url, _change_form_post(page, _fsm_transition_to="approve"), follow=True
    )

    proposed_by_operator.refresh_from_db()
    draft.refresh_from_db()
    assert proposed_by_operator.state == AwardList.State.PROPOSED
    assert proposed_by_operator.decided_by is None
    assert draft.state == Application.State.SHORTLISTED
    assert not Grant.objects.filter(application=draft).exists()
    assert not TransitionLog.objects.for_object(proposed_by_operator).exists()
    assert "cannot approve" in _messages(response)
    assert "Maker–checker" in _messages(response)


def test_it_approves_an_award_list_by_the_approver(client, proposed_by_operator, draft, approver):
    client.force_login(_staff(approver))
    url = reverse("admin:applications_awardlist_change", args=[proposed_by_operator.pk])
    page = client.get(url)

    response = client.post(url, _change_form_post(page, _fsm_transition_to="approve"), follow=True)

    proposed_by_operator.refresh_from_db()
    draft.refresh_from_db()
    assert "Done: Approve" in _messages(response)
    assert (proposed_by_operator.state, proposed_by_operator.decided_by) == (
        AwardList.State.APPROVED,
        approver,
    )
    assert draft.state == Application.State.AWARDED
    assert Grant.objects.get(application=draft).amount == draft.budget_lines.get().amount_requested
    assert Call.objects.get(pk=draft.call_id).state == Call.State.DECIDED
    log = TransitionLog.objects.for_object(proposed_by_operator).get()
    assert (log.transition, log.actor) == ("approve", approver)


def test_it_returns_an_award_list_only_with_a_reason(client, proposed_by_operator, draft, approver):
    client.force_login(_staff(approver))
    url = reverse(
        "admin:applications_awardlist_transition",
        args=[proposed_by_operator.pk, "return_for_changes"],
    )

    without = client.post(url, {"comment": ""})
    proposed_by_operator.refresh_from_db()
    assert without.status_code == 200
    assert proposed_by_operator.state == AwardList.State.PROPOSED

    client.post(url, {"comment": "Lower the travel costs of the first project."})

    proposed_by_operator.refresh_from_db()
    draft.refresh_from_db()
    assert proposed_by_operator.state == AwardList.State.RETURNED
    assert draft.state == Application.State.REVIEWED
    log = TransitionLog.objects.for_object(proposed_by_operator).get()
    assert log.comment == "Lower the travel costs of the first project."


def test_it_never_offers_the_reviewers_declaration_to_operators(
    admin_client, application_in_review
):
    invited = application_in_review.assignments.first()
    url = reverse("admin:applications_reviewassignment_change", args=[invited.pk])
    page = admin_client.get(url)
    assert b'name="_fsm_transition_to"' not in page.content  # nothing an operator may do

    response = admin_client.post(
        url, _change_form_post(page, _fsm_transition_to="declare_no_conflict"), follow=True
    )

    invited.refresh_from_db()
    assert invited.state == ReviewAssignment.State.INVITED
    assert "not available" in _messages(response)


def test_it_reopens_a_submitted_review_through_the_service(client, manager, application_in_review):
    draft = application_in_review
    for assignment in draft.assignments.all():
        f.score(assignment, {"Relevance": 4, "Feasibility": 4})
    submitted = draft.assignments.first()
    client.force_login(_staff(manager))
    page = client.get(reverse("admin:applications_reviewassignment_change", args=[submitted.pk]))
    assert b'value="reopen"' in page.content
    url = reverse("admin:applications_reviewassignment_transition", args=[submitted.pk, "reopen"])

    client.post(url, {"comment": "The budget comment contradicts the score."})

    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert submitted.state == ReviewAssignment.State.REOPENED
    assert draft.state == Application.State.IN_REVIEW
    log = TransitionLog.objects.for_object(submitted).last()
    assert (log.transition, log.actor) == ("reopen", manager)


def test_it_keeps_a_reviewer_with_open_work_in_the_pool(admin_client, call, application_in_review):
    link = CallReviewer.objects.filter(call=call).first()
    idle = f.CallReviewerFactory(call=call)  # no assignment: may leave
    url = reverse("admin:grants_call_change", args=[call.pk])
    page = admin_client.get(url)
    formset = next(
        i.formset for i in page.context["inline_admin_formsets"] if i.formset.model is CallReviewer
    )
    index = {form.instance.pk: n for n, form in enumerate(formset.forms)}

    busy = admin_client.post(
        url, _change_form_post(page, **{f"{formset.prefix}-{index[link.pk]}-DELETE": "on"})
    )
    free = admin_client.post(
        url, _change_form_post(page, **{f"{formset.prefix}-{index[idle.pk]}-DELETE": "on"})
    )

    assert busy.status_code == 200  # the form again, with the error
    assert "still hold open assignments" in busy.content.decode()
    assert CallReviewer.objects.filter(pk=link.pk).exists()
    assert free.status_code == 302
    assert not CallReviewer.objects.filter(pk=idle.pk).exists()


# After the award ------------------------------------------------------------------------


def test_it_opens_the_after_award_pages(admin_client):
    from grants.models import (
        Amendment,
        ExchangeRate,
        GrantBudgetLine,
        MonitoringVisit,
        Programme,
        Report,
        Tranche,
    )

    call_command("seed_demo", "--force", stdout=StringIO())
    pages = []
    for model in (GrantBudgetLine, Tranche, Report, ExchangeRate, Amendment, MonitoringVisit):
        opts = model._meta
        assert model.objects.exists(), model
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        pages += [
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
            for pk in model.objects.values_list("pk", flat=True)[:5]
        ]
    for url in pages:
        assert admin_client.get(url).status_code == 200, url

    report = Report.objects.filter(indicator_values__isnull=False).first()
    page = admin_client.get(reverse("admin:grants_report_change", args=[report.pk]))
    assert b"CSO representatives trained" in page.content
    programme = Programme.objects.get(title__startswith="Safe Routes")
    page = admin_client.get(reverse("admin:grants_programme_change", args=[programme.pk]))
    assert b"Monitoring sessions held" in page.content


@pytest.fixture
def signed_grant_5000(call, draft, manager, applicant_a):
    return f.awarded_grant(
        call=call, draft=draft, member=applicant_a, manager=manager, amount=5000, signed=True
    )


def test_it_starts_a_grant_through_the_service(admin_client, operator, signed_grant_5000):
    ProgrammeRole.objects.create(
        user=operator, programme=signed_grant_5000.programme, role="manager"
    )
    url = reverse("admin:grants_grant_change", args=[signed_grant_5000.pk])
    page = admin_client.get(url)
    assert b'value="activate"' in page.content

    response = admin_client.post(
        url, _change_form_post(page, _fsm_transition_to="activate"), follow=True
    )

    signed_grant_5000.refresh_from_db()
    assert signed_grant_5000.state == Grant.State.ACTIVE
    log = TransitionLog.objects.for_object(signed_grant_5000).last()
    assert (log.transition, log.actor) == ("activate", operator)
    assert "Done: Start" in _messages(response)


def test_it_refuses_to_start_a_grant_without_the_role(admin_client, signed_grant_5000):
    url = reverse("admin:grants_grant_change", args=[signed_grant_5000.pk])
    page = admin_client.get(url)

    response = admin_client.post(
        url, _change_form_post(page, _fsm_transition_to="activate"), follow=True
    )

    signed_grant_5000.refresh_from_db()
    assert signed_grant_5000.state == Grant.State.CONTRACTED
    assert "managers" in _messages(response)


def test_it_suspends_a_grant_only_with_a_reason(admin_client, operator, signed_grant_5000, manager):
    from grants.services.grants import grant_change_state

    grant_change_state(grant=signed_grant_5000, actor=manager, name="activate")
    ProgrammeRole.objects.create(
        user=operator, programme=signed_grant_5000.programme, role="manager"
    )
    url = reverse("admin:grants_grant_transition", args=[signed_grant_5000.pk, "suspend"])

    without = admin_client.post(url, {"comment": ""})
    signed_grant_5000.refresh_from_db()
    assert without.status_code == 200
    assert signed_grant_5000.state == Grant.State.ACTIVE

    admin_client.post(url, {"comment": "The auditor found double-counted receipts."})

    signed_grant_5000.refresh_from_db()
    assert signed_grant_5000.state == Grant.State.SUSPENDED
    log = TransitionLog.objects.for_object(signed_grant_5000).last()
    assert log.comment == "The auditor found double-counted receipts."
