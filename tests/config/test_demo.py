from collections import Counter
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from applications.models import (
    Answer,
    Application,
    Attachment,
    AwardList,
    AwardListItem,
    BudgetLine,
    ClarificationRequest,
    ConsensusScore,
    Partner,
    Review,
    ReviewAssignment,
    Score,
    budget_totals,
)
from config.demo.data import PERSONAS
from grants.countries import WESTERN_BALKANS
from grants.models import (
    Amendment,
    Call,
    CallQuestion,
    CallReviewer,
    Criterion,
    Donor,
    ExchangeRate,
    FinancialLine,
    FollowUpAction,
    Grant,
    Indicator,
    IndicatorValue,
    Membership,
    MonitoringVisit,
    Organisation,
    Programme,
    ProgrammeRole,
    Report,
    ReportComment,
    Tranche,
)
from grants.selectors.reports import indicator_rollup
from workflows.models import TransitionLog

MODELS = [
    User,
    Organisation,
    Membership,
    Donor,
    Grant,
    Programme,
    ProgrammeRole,
    Call,
    CallQuestion,
    Criterion,
    CallReviewer,
    Application,
    Answer,
    BudgetLine,
    Partner,
    Attachment,
    ClarificationRequest,
    ReviewAssignment,
    Review,
    Score,
    ConsensusScore,
    AwardList,
    AwardListItem,
    Report,
    Tranche,
    FinancialLine,
    Indicator,
    IndicatorValue,
    ReportComment,
    ExchangeRate,
    Amendment,
    MonitoringVisit,
    FollowUpAction,
    TransitionLog,
]


def _seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", "--force", *args, stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def _persona(key: str) -> User:
    email = next(p.email for p in PERSONAS if p.key == key)
    return User.objects.get(email=email)


@pytest.fixture
def seeded(db):
    _seed()


def test_it_creates_one_login_per_persona(seeded):
    for persona in PERSONAS:
        assert User.objects.get(email=persona.email).check_password("regrant-demo")
    operator = _persona("operator")
    assert operator.is_superuser and operator.is_staff
    assert not User.objects.filter(is_staff=True).exclude(pk=operator.pk).exists()

    applicant = _persona("applicant")
    own = Application.objects.filter(organisation__memberships__user=applicant)
    assert own.filter(state=Application.State.DRAFT).exists()
    assert own.filter(state=Application.State.SUBMITTED).exists()
    applicant2 = _persona("applicant2")
    assert not applicant2.organisations.filter(members=applicant).exists()

    roles = dict(
        ProgrammeRole.objects.filter(
            user__in=[_persona("manager"), _persona("approver"), _persona("donor")]
        ).values_list("user__email", "role")
    )
    assert sorted(roles.values()) == ["approver", "manager", "observer"]
    assert CallReviewer.objects.filter(user=_persona("reviewer")).exists()


def test_it_creates_calls_in_several_states_with_a_form_and_a_rubric(seeded):
    states = set(Call.objects.values_list("state", flat=True))
    assert {Call.State.DRAFT, Call.State.OPEN, Call.State.CLOSED} <= states
    open_calls = Call.objects.filter(state=Call.State.OPEN)
    assert open_calls.filter(scope=Call.Scope.REGIONAL).exists()
    national = open_calls.filter(scope=Call.Scope.NATIONAL, programme__donors__short_name="EU")
    assert national.count() >= 3
    assert all(c.closes_at > timezone.now() + timezone.timedelta(days=14) for c in national)
    assert set(CallQuestion.objects.values_list("kind", flat=True)) == set(CallQuestion.Kind.values)
    assert CallQuestion.objects.filter(kind=CallQuestion.Kind.LONG_TEXT, max_length__gt=0).exists()
    for call in Call.objects.exclude(state=Call.State.DRAFT):
        assert call.criteria.count() >= 3
        assert TransitionLog.objects.for_object(call).filter(transition="publish").exists()
    closed = Call.objects.get(state=Call.State.CLOSED)
    assert closed.closes_at < timezone.now()
    assert TransitionLog.objects.for_object(closed).filter(transition="close").exists()


def test_it_moves_applications_through_the_services(seeded):
    states = set(Application.objects.values_list("state", flat=True))
    assert {
        Application.State.DRAFT,
        Application.State.SUBMITTED,
        Application.State.ELIGIBLE,
        Application.State.INELIGIBLE,
        Application.State.CLARIFICATION_REQUESTED,
        Application.State.WITHDRAWN,
    } <= states
    for application in Application.objects.exclude(state=Application.State.DRAFT):
        log = list(TransitionLog.objects.for_object(application))
        assert log[0].transition == "submit", application
        assert log[-1].to_state == application.state, application
        assert application.reference
        assert application.attachments.exists()
        totals = budget_totals(list(application.budget_lines.all()))
        call = application.call
        assert call.min_grant <= totals["requested"] <= call.max_grant
        assert totals["own"] * 100 >= call.min_cofinancing_percent * totals["total"]
    assert (
        Application.objects.filter(state=Application.State.INELIGIBLE)
        .exclude(eligibility_reason="")
        .count()
        == Application.objects.filter(state=Application.State.INELIGIBLE).count()
    )
    assert Partner.objects.exists()
    assert ClarificationRequest.objects.filter(answered_at__isnull=False).exists()


def test_it_builds_the_cascade_across_donors_and_countries(seeded):
    assert Programme.objects.filter(parent_grant__isnull=False).exists()
    assert Donor.objects.filter(programmes__isnull=False).distinct().count() >= 3
    assert set(WESTERN_BALKANS) <= set(Organisation.objects.values_list("country", flat=True))


def test_it_assigns_reviewers_without_breaking_an_exclusion(seeded):
    assignments = ReviewAssignment.objects.select_related(
        "application__call", "application__organisation"
    )
    assert assignments.count() >= 30
    for assignment in assignments:
        application, reviewer = assignment.application, assignment.reviewer_id
        link = CallReviewer.objects.get(call=application.call, user_id=reviewer)
        own = set(
            Membership.objects.filter(user_id=reviewer).values_list("organisation", flat=True)
        )
        partners = set(application.partners.values_list("organisation", flat=True))
        assert application.organisation_id not in own, assignment
        assert not own & partners, assignment
        if application.call.exclude_same_country:
            assert link.country != application.organisation.country, assignment
    # The same-country rule had something to exclude: a pool member shares a country with an
    # applicant of a call that excludes it.
    assert CallReviewer.objects.filter(
        call__exclude_same_country=True,
        country__in=Application.objects.filter(
            call__exclude_same_country=True, assignments__isnull=False
        ).values("organisation__country"),
    ).exists()
    # Every application under review has its full set of active reviewers, replacements too.
    for application in Application.objects.filter(
        state__in=["in_review", "moderation", "reviewed", "shortlisted", "reserve", "awarded"]
    ):
        active = application.assignments.filter(state__in=ReviewAssignment.ACTIVE).count()
        assert active == application.call.reviewers_per_application, application


def test_it_leaves_work_for_the_reviewer_and_shows_a_recusal(seeded):
    mine = ReviewAssignment.objects.filter(reviewer=_persona("reviewer"))

    invited = mine.get(state=ReviewAssignment.State.INVITED)
    half = mine.get(state=ReviewAssignment.State.ACCEPTED)
    assert mine.filter(state=ReviewAssignment.State.SUBMITTED).exists()
    scores = list(half.review.scores.values_list("score", flat=True))
    assert scores and None not in scores
    assert len(scores) < half.application.call.criteria.count()
    # The invitation is the replacement for the second reviewer's conflict.
    recused = ReviewAssignment.objects.get(state=ReviewAssignment.State.RECUSED)
    assert recused.reviewer == _persona("reviewer2")
    assert recused.conflict_reason
    assert recused.application_id == invited.application_id


def test_it_scores_with_comments_and_moderates_a_divergence(seeded):
    submitted = Review.objects.filter(assignment__state=ReviewAssignment.State.SUBMITTED)
    assert submitted.count() >= 20
    for review in submitted.select_related("assignment__application__call"):
        call = review.assignment.application.call
        assert review.recommendation and review.overall_comment
        assert review.scores.filter(score__isnull=False).count() == call.criteria.count()
        if call.comments_required:
            assert not review.scores.filter(comment="").exists()
        for score in review.scores.select_related("criterion"):
            assert score.score <= score.criterion.max_score
            assert call.score_step == 0 or score.score % call.score_step == 0
    assert Score.objects.values("score").distinct().count() >= 6
    waiting = Application.objects.get(state=Application.State.MODERATION)
    assert waiting.call.state == Call.State.IN_REVIEW
    assert TransitionLog.objects.for_object(waiting).filter(transition="send_to_moderation")
    # On the decided call a moderator settled a divergence with consensus scores.
    assert ConsensusScore.objects.filter(application__state=Application.State.AWARDED).exists()


def test_it_decides_a_call_by_maker_checker_and_creates_the_grants(seeded):
    approved = AwardList.objects.get(state=AwardList.State.APPROVED)
    call = approved.call
    assert call.state == Call.State.DECIDED
    assert approved.proposed_by == _persona("manager")
    assert approved.decided_by == _persona("approver")
    states = Counter(Application.objects.filter(call=call).values_list("state", flat=True))
    assert states["awarded"] >= 2 and states["reserve"] >= 1 and states["rejected"] >= 1
    for item in approved.items.filter(outcome=AwardListItem.Outcome.AWARD):
        grant = Grant.objects.get(application=item.application)
        assert (grant.amount, grant.programme) == (item.amount, call.programme)
        assert TransitionLog.objects.for_object(grant).first().transition == "sign"
    assert approved.items.exclude(amount_reason="").exists()  # one amount lowered, with a reason
    assert sum(g.amount for g in Grant.objects.filter(application__call=call)) <= call.budget
    # An applicant persona sees an award.
    awarded = Application.objects.get(
        call=call, organisation__memberships__user=_persona("applicant")
    )
    assert awarded.state == Application.State.AWARDED and awarded.grant
    # And an award list waits for the approver on another call.
    waiting = AwardList.objects.get(state=AwardList.State.PROPOSED)
    assert waiting.call.state == Call.State.IN_REVIEW
    assert waiting.items.filter(outcome=AwardListItem.Outcome.AWARD).exists()


def test_it_drives_the_sub_grants_through_their_life_after_the_award(seeded):
    call = Call.objects.get(state=Call.State.DECIDED)
    subgrants = Grant.objects.filter(application__call=call)
    assert {Grant.State.CONTRACTED, Grant.State.ACTIVE} <= set(
        subgrants.values_list("state", flat=True)
    )
    interims = Report.objects.filter(grant__in=subgrants, kind=Report.Kind.INTERIM)
    assert {
        Report.State.OPEN,
        Report.State.SUBMITTED,
        Report.State.CHANGES_REQUESTED,
        Report.State.APPROVED,
    } <= set(interims.values_list("state", flat=True))
    # Every state came from a service: each report's log ends in its state.
    for report in interims:
        assert TransitionLog.objects.for_object(report).last().to_state == report.state
    # The applicant persona writes the open one.
    mine = interims.get(state=Report.State.OPEN)
    assert mine.grant.organisation.memberships.filter(user=_persona("applicant")).exists()
    assert mine.period_end < timezone.localdate()
    # Sent back with a comment on a section.
    assert ReportComment.objects.filter(
        report__state=Report.State.CHANGES_REQUESTED, section="financial"
    ).exists()
    # Payments by the approver; a tranche left due for them; the second tranche of the
    # approved report paid.
    paid = Tranche.objects.filter(state=Tranche.State.PAID)
    assert paid.exists() and set(paid.values_list("paid_by", flat=True)) == {
        _persona("approver").pk
    }
    assert Tranche.objects.filter(grant__in=subgrants, state=Tranche.State.DUE).exists()
    approved = interims.get(state=Report.State.APPROVED)
    assert approved.grant.tranches.get(number=2).state == Tranche.State.PAID
    assert approved.indicator_values.exists()
    assert approved.grant.amendments.get().state == Amendment.State.APPROVED
    visit = approved.grant.visits.get()
    assert [a.closed_at is not None for a in visit.actions.all()] == [True, False]
    # A report in another currency, converted with a stored monthly rate.
    assert interims.filter(currency="BAM", state=Report.State.SUBMITTED).exists()
    assert {"RSD", "BAM", "MKD", "ALL"} <= set(
        ExchangeRate.objects.values_list("currency", flat=True)
    )


def test_it_rolls_up_the_approved_indicator_values(seeded):
    programme = Programme.objects.get(parent_grant__donor__short_name="EU")
    rollup = indicator_rollup(programme=programme)
    assert len(rollup) >= 3
    assert all(row["target"] for row in rollup)
    assert sum(row["achieved"] for row in rollup) > 0
    parent = programme.parent_grant
    assert parent.state == Grant.State.ACTIVE
    assert parent.max_subgrant_amount and parent.min_cofinancing_percent is not None
    assert all(g.amount <= parent.max_subgrant_amount for g in programme.subgrants.all())


def test_a_second_run_changes_nothing(seeded):
    before = _counts()

    output = _seed()

    assert _counts() == before
    assert "nothing to do" in output


def test_it_refuses_without_debug_unless_forced(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())

    assert not User.objects.exists()


def test_it_uses_demo_password_for_every_login(db, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-secret")
    _seed()

    out = StringIO()
    call_command("demo_logins", stdout=out)

    assert all(
        User.objects.get(email=p.email).check_password("another-demo-secret") for p in PERSONAS
    )
    assert "another-demo-secret" in out.getvalue()


def test_demo_logins_prints_the_addresses_and_every_persona(seeded):
    out = StringIO()
    call_command("demo_logins", "--url", "http://demo.example:8123", stdout=out)
    text = out.getvalue()

    assert "http://demo.example:8123/" in text
    assert "http://demo.example:8123/admin/" in text
    assert "http://demo.example:8123/api/docs/" in text
    for persona in PERSONAS:
        assert persona.email in text
    assert "not loaded" not in text


def test_demo_logins_says_when_the_demo_is_not_loaded(db):
    out = StringIO()
    call_command("demo_logins", stdout=out)

    assert "seed_demo" in out.getvalue()


def test_the_readme_lists_every_persona_as_demo_logins_does():
    readme = (settings.BASE_DIR / "README.md").read_text()

    for persona in PERSONAS:
        assert f"| {persona.label} | {persona.email} | {persona.try_first} |" in readme
