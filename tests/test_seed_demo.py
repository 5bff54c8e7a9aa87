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
    BudgetLine,
    ClarificationRequest,
    Partner,
    budget_totals,
)
from grants.countries import WESTERN_BALKANS
from grants.management.commands.seed_demo import PERSONAS
from grants.models import (
    Call,
    CallQuestion,
    CallReviewer,
    Criterion,
    Donor,
    Grant,
    Membership,
    Organisation,
    Programme,
    ProgrammeRole,
)
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
