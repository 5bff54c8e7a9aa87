import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import User
from applications.models import Answer, Application, BudgetLine, Partner
from grants.models import (
    Call,
    CallQuestion,
    CallReviewer,
    Criterion,
    Donor,
    Membership,
    Organisation,
    Programme,
    ProgrammeRole,
)

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
