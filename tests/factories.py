import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import User
from applications.models import Answer, Application, BudgetLine, Partner, ReviewAssignment
from applications.services.applications import application_submit
from applications.services.review import assignment_declare, review_save, review_submit
from applications.services.screening import application_screen
from grants.models import (
    Call,
    CallQuestion,
    CallReviewer,
    Criterion,
    Donor,
    Grant,
    Indicator,
    Membership,
    Organisation,
    Programme,
    ProgrammeRole,
    Report,
)
from grants.services.calls import call_close, call_start_review
from grants.services.grants import grant_create_from_application, grant_sign
from grants.services.reports import report_open, report_save, report_submit
from workflows.models import Notification

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    legal_name = factory.Sequence(lambda n: f"Citizens' Association {n}")
    short_name = factory.Sequence(lambda n: f"CA{n}")
    country = "RS"
    org_type = "cso"
    registration_number = factory.Sequence(lambda n: f"REG-{n:06d}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.ADMIN


class DonorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Donor
        django_get_or_create = ("name",)

    name = "European Union"
    short_name = "EU"


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    title = factory.Sequence(lambda n: f"Regional civil society fund {n}")
    owner = factory.SubFactory(OrganisationFactory)
    currency = "EUR"
    budget = Decimal("500000.00")
    start_date = dt.date(2026, 1, 1)
    end_date = dt.date(2028, 12, 31)


class ProgrammeRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeRole

    user = factory.SubFactory(UserFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    role = ProgrammeRole.Role.MANAGER


class CallFactory(factory.django.DjangoModelFactory):
    """An open call, opened yesterday and closing in 30 days."""

    class Meta:
        model = Call

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"National sub-grants call {n}")
    summary = "Small grants for local civil society initiatives."
    state = Call.State.OPEN
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    closes_at = factory.LazyFunction(
        lambda: (timezone.now() + dt.timedelta(days=30)).replace(microsecond=0)
    )
    budget = Decimal("100000.00")
    min_grant = Decimal("5000.00")
    max_grant = Decimal("20000.00")
    min_cofinancing_percent = Decimal("10")
    eligible_countries = factory.LazyFunction(lambda: ["AL", "BA", "ME", "MK", "RS", "XK"])
    eligible_org_types = factory.LazyFunction(lambda: ["cso", "grassroots"])
    reference_prefix = "NAT"


class CallQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallQuestion

    call = factory.SubFactory(CallFactory)
    label = factory.Sequence(lambda n: f"Question {n}")
    kind = CallQuestion.Kind.LONG_TEXT
    required = True
    max_length = 2000


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    call = factory.SubFactory(CallFactory)
    title = factory.Sequence(lambda n: f"Criterion {n}")
    weight = Decimal("1")
    max_score = Decimal("5")
    pass_threshold = Decimal("2")


class CallReviewerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallReviewer

    call = factory.SubFactory(CallFactory)
    user = factory.SubFactory(UserFactory)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Community monitoring project {n}")
    created_by = factory.SubFactory(UserFactory)


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    application = factory.SubFactory(ApplicationFactory)
    category = BudgetLine.Category.ACTIVITIES
    description = "Workshops in three municipalities"
    amount_requested = Decimal("9000.00")
    own_contribution = Decimal("1000.00")


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    application = factory.SubFactory(ApplicationFactory)
    question = factory.SubFactory(CallQuestionFactory)
    value = "We will train forty volunteers."


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    application = factory.SubFactory(ApplicationFactory)
    organisation = factory.SubFactory(OrganisationFactory, country="BA")
    role = "Co-organises the workshops"


def complete_application(
    *, call: Call, organisation: Organisation, created_by: User
) -> Application:
    """A draft that passes every rule of `call` (answers every non-file question, one budget
    line within the limits with 10 %+ co-financing)."""
    application = ApplicationFactory(call=call, organisation=organisation, created_by=created_by)
    for question in call.questions.exclude(kind=CallQuestion.Kind.FILE):
        value = {
            CallQuestion.Kind.NUMBER: "12",
            CallQuestion.Kind.DATE: "2027-03-01",
            CallQuestion.Kind.CHOICE: (question.choices or [""])[0],
        }.get(question.kind, "A clear and complete answer.")
        AnswerFactory(application=application, question=question, value=value)
    BudgetLineFactory(application=application)
    return application


# Builders: the objects the fixtures stand for, made through the real services in the order
# people act. A fixture is a one-liner calling one of these; its name says which variant.

# Tranches of 40 % on signature, 40 % on approval of the interim report, 20 % on the final.
TRANCHES_40_40_20 = (
    {"percent": 40, "trigger": "signature"},
    {"percent": 40, "trigger": "report:1"},
    {"percent": 20, "trigger": "final_report"},
)


def submitted_application(
    *,
    call: Call,
    organisation: Organisation | None = None,
    member: User | None = None,
    requested: str | None = None,
    **org_fields,
) -> Application:
    """A complete application to `call`, submitted by `member` (by default a new
    administrator of `organisation`); `organisation` is by default `member`'s, or a new one
    made of `org_fields`. `requested`: the amount of its one budget line, with a fifth of it
    as own contribution."""
    if organisation is None:
        organisation = (
            member.memberships.get().organisation
            if member is not None
            else OrganisationFactory(**org_fields)
        )
    member = member or MembershipFactory(organisation=organisation).user
    application = complete_application(call=call, organisation=organisation, created_by=member)
    if requested is not None:
        BudgetLine.objects.filter(application=application).update(
            amount_requested=Decimal(requested), own_contribution=Decimal(requested) / 5
        )
    return application_submit(application=application, actor=member)


def eligible_application(
    *,
    call: Call,
    manager: User,
    organisation: Organisation | None = None,
    requested: str = "10000",
    **org_fields,
) -> Application:
    """A submitted application (see `submitted_application`) requesting `requested`, screened
    eligible by `manager`."""
    application = submitted_application(
        call=call, organisation=organisation, requested=requested, **org_fields
    )
    return application_screen(application=application, actor=manager, eligible=True)


def grant_from(application: Application, *, manager: User, amount="9000") -> Grant:
    """The grant of a submitted `application`, created the way the award creates it."""
    return grant_create_from_application(
        application=application, amount=Decimal(str(amount)), actor=manager
    )


def awarded_grant(
    *,
    call: Call,
    manager: User,
    member: User | None = None,
    draft: Application | None = None,
    organisation: Organisation | None = None,
    amount="9000",
    tranches=None,
    obligations: str | None = None,
    signed: bool = False,
) -> Grant:
    """A grant of `amount` from `call`, made the way the award makes it: `tranches` and
    `obligations` set on the call first (by default the call's own), then `draft` submitted by
    `member` (or a new complete application, see `submitted_application`), then the grant
    created by `manager` and, if `signed`, signed by `member`."""
    if tranches is not None:
        call.tranche_template = [dict(tranche) for tranche in tranches]
    if obligations is not None:
        call.obligations = obligations
    if tranches is not None or obligations is not None:
        call.save()
    if draft is not None:
        application = application_submit(application=draft, actor=member)
    else:
        application = submitted_application(call=call, organisation=organisation, member=member)
    grant = grant_from(application, manager=manager, amount=amount)
    if signed:
        grant = grant_sign(grant=grant, actor=member)
    return grant


def funding_grant(*, programme: Programme, organisation: Organisation) -> Grant:
    """The donor's grant to the lead `organisation` that funds `programme`: 600,000 EUR, at
    most 20,000 per sub-grant, 5–50 % co-financing."""
    parent = Grant.objects.create(
        title="EU grant to the lead",
        organisation=organisation,
        amount=Decimal("600000"),
        max_subgrant_amount=Decimal("20000"),
        min_cofinancing_percent=Decimal("5"),
        max_cofinancing_percent=Decimal("50"),
    )
    programme.parent_grant = parent
    programme.save()
    return parent


def indicator(*, programme: Programme, **fields) -> Indicator:
    """The programme's indicator "CSO representatives trained", target 50."""
    return Indicator.objects.create(
        programme=programme, **{"name": "CSO representatives trained", "target": 50, **fields}
    )


def open_interim(grant: Grant, *, manager: User) -> Report:
    """The grant's first (interim) report, opened by `manager`."""
    return report_open(report=grant.reports.get(number=1), actor=manager)


def submitted_report(report: Report, *, member: User, answer: str, spent=None) -> Report:
    """An open `report` written by `member` — `answer` to every question of the programme, and
    `spent` on the grant's one budget line if given — and submitted."""
    grant = report.grant
    save = {"spending": {grant.budget_lines.get().pk: spent}} if spent is not None else {}
    report_save(
        report=report,
        actor=member,
        version=None,
        narrative={q: answer for q in grant.programme.report_questions},
        **save,
    )
    return report_submit(report=report, actor=member)


def report_due_in(grant: Grant, *, days: int, manager: User) -> Report:
    """The grant's first report, due at the end of the day `days` from now and opened by
    `manager`; the outbox emptied of what came before (the receipt of the application)."""
    report = grant.reports.get(number=1)
    Report.objects.filter(pk=report.pk).update(
        due_date=timezone.localdate() + dt.timedelta(days=days)
    )
    report_open(report=report, actor=manager)
    report.refresh_from_db()
    Notification.objects.all().delete()
    return report


def score(assignment, values: dict, comment="Well argued.", recommendation="fund"):
    """Declare no conflict (if not yet), score by criterion title, submit."""
    assignment = ReviewAssignment.objects.select_related("application__call").get(pk=assignment.pk)
    if assignment.state == "invited":
        assignment_declare(assignment=assignment, actor=assignment.reviewer, conflict=False)
    criteria = {c.title: c.pk for c in assignment.application.call.criteria.all()}
    review_save(
        assignment=assignment,
        actor=assignment.reviewer,
        scores={criteria[t]: {"score": v, "comment": comment} for t, v in values.items()},
        overall_comment="Solid.",
        recommendation=recommendation,
    )
    return review_submit(assignment=assignment, actor=assignment.reviewer)


def start_call_review(call: Call, manager: User) -> None:
    """Close `call` by hand and start its review."""
    call_close(call=call, actor=manager)
    call_start_review(call=call, actor=manager)
    call.refresh_from_db()
