"""Load a realistic demo: three regranting programmes in the Western Balkans, their calls in
several states, applications in several states, reviews and award decisions, and one login per
persona.

Everything is fictional: the organisations, people, projects and grant references are invented
(the schemes are loosely modelled on the documents in ../shared/seeds/, paraphrased). Donors are
named, but what they are said to fund here is demo data.

1. Refuse to run unless DEBUG is on (or --force): the logins share a password that is printed.
2. In one transaction, so a failure leaves nothing half-loaded:
   a. donors, organisations in the six countries, the parent grants (the cascade), programmes,
      the persona logins and their roles — get_or_create on natural keys (names, e-mails);
   b. each call, keyed by (programme, title), is built only when it does not exist yet: created
      as a draft with its questions and criteria (plain data), then published by `call_publish`;
      its applications are created, filled, submitted and screened by the applications
      services, so every state change is a real transition in the TransitionLog;
   c. a call that must look closed is opened with a future deadline, applied to, then its closing
      time is moved into the past with a queryset update (the one shortcut: it pretends time has
      passed) and it is closed by `call_close`; screening follows, through the services;
   d. reviewers join each new call's pool through `call_reviewer_add`;
   e. on the calls that go to review (`CallSpec.review`), everything runs through the services
      of applications.services.review, as the people would do it: `assignments_auto_assign`; the
      conflict declarations (`assignment_declare`, whose replacement the service assigns) before
      anyone scores; each review declared, scored with comments and submitted (`review_save`,
      `review_submit`; the service sends a divergent application to moderation); the
      moderator's consensus (`moderation_record_consensus`); the manager's award list
      (`award_list_propose`) and, on the decided call, the approver's approval
      (`award_list_approve`, which creates the grants). Which reviewer scores what is written
      in APPLICATIONS; if the automatic assignment ever chose otherwise, the command stops
      and the transaction leaves nothing behind;
   f. after the award (`_after_award`): the programme's indicators (get_or_create on their
      names) and the missing monthly rates (`exchange_rate_set`); the donors' grants signed
      and started by the lead organisations; and each sub-grant of the decided call that is
      still only awarded is driven through the grant and report services into the state
      AFTER_AWARD gives it — signature, tranches approved and paid by the approver, the interim
      report opened, written, submitted, sent back or approved, an amendment, a monitoring
      visit. The second shortcut: the sub-grants' dates (and their reports') are moved about
      seven months into the past with a queryset update, so the interim period has ended.
3. A second run finds everything and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from applications.models import ReviewAssignment
from applications.services.applications import (
    application_create,
    application_submit,
    application_update,
    application_withdraw,
    attachment_add,
    partner_add,
)
from applications.services.awards import award_list_approve, award_list_propose
from applications.services.moderation import moderation_record_consensus
from applications.services.review import (
    assignment_declare,
    assignments_auto_assign,
    call_reviewer_add,
    review_save,
    review_submit,
)
from applications.services.screening import (
    application_answer_clarification,
    application_request_clarification,
    application_screen,
)
from config.demo.data import (
    AFTER_AWARD,
    APPLICATIONS,
    BELGRADE,
    CALLS,
    CRITERIA,
    DOMAIN,
    DONORS,
    EXPERTS,
    GRANTS,
    INDICATORS,
    NARRATIVE,
    ORGANISATIONS,
    OVERALL_COMMENTS,
    PERSONA_MEMBERSHIPS,
    PERSONAS,
    PREFERENCES,
    PROGRAMMES,
    RATES,
    REGISTRIES,
    REVIEWER_COUNTRIES,
    SUBMIT,
    THEMES,
    AfterAward,
    AppSpec,
    CallSpec,
    budget_lines_of,
    call_questions,
    demo_password,
    recommendation_for,
    score_comment,
)
from grants import policies
from grants.models import (
    Amendment,
    Call,
    CallQuestion,
    Criterion,
    Donor,
    ExchangeRate,
    Grant,
    Indicator,
    Membership,
    Organisation,
    Programme,
    ProgrammeRole,
    Report,
    Tranche,
)
from grants.services.amendments import amendment_decide, amendment_request
from grants.services.calls import call_close, call_publish, call_start_review
from grants.services.grants import (
    add_months,
    grant_change_state,
    grant_sign,
    tranche_approve,
    tranche_pay,
)
from grants.services.reports import (
    exchange_rate_set,
    report_approve,
    report_open,
    report_request_changes,
    report_save,
    report_submit,
)
from grants.services.visits import follow_up_close, visit_record


def _certificate(org: Organisation) -> SimpleUploadedFile:
    """A one-page PDF that says what it is: a fictional certificate for the demo."""
    text = f"DEMO - fictional registration certificate - {org.legal_name}, {org.city}"
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    stream = f"BT /F1 12 Tf 50 780 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n" % (len(objects) + 1, xref)
    pdf += b"%%EOF\n"
    return SimpleUploadedFile("registration-certificate.pdf", bytes(pdf), "application/pdf")


class DemoBuilder:
    """Builds the demo through the services, step by step as the module docstring says."""

    def load(self) -> tuple[list[str], int]:
        """Load what is missing, in one transaction; return the titles of the calls built and
        the number of grants driven after the award (nothing of either on a second run)."""
        self.now = timezone.now()
        self.today = timezone.localtime(self.now, BELGRADE).date()
        self.calls: dict[str, Call] = {}
        created_calls = []
        with transaction.atomic():
            self._setup()
            for spec in CALLS:
                if self._build_call(spec):
                    created_calls.append(spec.title)
            driven = self._after_award()
        return created_calls, driven

    # Reference data: get_or_create on natural keys ------------------------------------

    def _setup(self) -> None:
        password = demo_password()
        self.people: dict[str, User] = {}
        for persona in PERSONAS:
            flags = {"is_staff": True, "is_superuser": True} if persona.key == "operator" else {}
            flags.update(PREFERENCES.get(persona.key, {}))
            self.people[persona.key] = self._user(
                persona.email, persona.full_name, password, **flags
            )
        # Experts only review in the demo; they cannot log in.
        self.reviewers: dict[str, User] = {
            key: self.people[key] for key in REVIEWER_COUNTRIES if key in self.people
        }
        for key, full_name in EXPERTS.items():
            self.reviewers[key] = self._user(f"{key.replace('_', '.')}@{DOMAIN}", full_name, None)

        self.orgs: dict[str, Organisation] = {}
        self.contacts: dict[str, User] = {}
        for index, (key, org) in enumerate(ORGANISATIONS.items(), start=1):
            self.orgs[key], _ = Organisation.objects.get_or_create(
                legal_name=org.legal_name,
                country=org.country,
                defaults={
                    "short_name": org.short_name,
                    "city": org.city,
                    "org_type": org.org_type,
                    "registration_number": f"DEMO-{org.country}-{index:04d}",
                    "registry": REGISTRIES.get(key, ""),
                    "email": f"info@{key.replace('_', '-')}.example",
                },
            )
            if org.contact:
                # Applies for the organisation in the demo; cannot log in.
                user = self._user(f"contact.{key.replace('_', '.')}@{DOMAIN}", org.contact, None)
                Membership.objects.get_or_create(
                    user=user, organisation=self.orgs[key], defaults={"role": Membership.Role.ADMIN}
                )
                self.contacts[key] = user
        for persona, (org_key, role) in PERSONA_MEMBERSHIPS.items():
            Membership.objects.get_or_create(
                user=self.people[persona], organisation=self.orgs[org_key], defaults={"role": role}
            )

        donors = {
            key: Donor.objects.get_or_create(name=name, defaults={"short_name": short})[0]
            for key, (name, short) in DONORS.items()
        }
        start = (self.today.replace(day=1) - dt.timedelta(days=240)).replace(day=1)
        end = start.replace(year=start.year + 3) - dt.timedelta(days=1)
        grants = {}
        for key, spec in GRANTS.items():
            grants[key], _ = Grant.objects.get_or_create(
                reference=spec["reference"],
                defaults={
                    "title": spec["title"],
                    "organisation": self.orgs[spec["organisation"]],
                    "donor": donors[spec["donor"]],
                    "amount": spec["amount"],
                    "currency": "EUR",
                    "start_date": start,
                    "end_date": end + dt.timedelta(days=90),
                    "max_subgrant_amount": spec["max_subgrant_amount"],
                    "min_cofinancing_percent": spec["min_cofinancing_percent"],
                    "max_cofinancing_percent": spec["max_cofinancing_percent"],
                    "reporting_period_months": spec["reporting_period_months"],
                },
            )
        self.programmes: dict[str, Programme] = {}
        self.managers: dict[str, User] = {}
        self.approvers: dict[str, User] = {}
        for key, spec in PROGRAMMES.items():
            programme, created = Programme.objects.get_or_create(
                title=spec["title"],
                defaults={
                    "owner": self.orgs[spec["owner"]],
                    "description": spec["description"],
                    "currency": "EUR",
                    "budget": spec["budget"],
                    "start_date": start,
                    "end_date": end,
                    "parent_grant": grants.get(spec["parent_grant"]),
                },
            )
            if created:
                programme.donors.set([donors[d] for d in spec["donors"]])
            for persona, role in spec["roles"].items():
                ProgrammeRole.objects.get_or_create(
                    user=self.people[persona], programme=programme, role=role
                )
                if role == ProgrammeRole.Role.MANAGER:
                    self.managers[key] = self.people[persona]
                elif role == ProgrammeRole.Role.APPROVER:
                    self.approvers[key] = self.people[persona]
            self.programmes[key] = programme

        self.grants = grants
        for user in [*self.people.values(), *self.contacts.values(), *self.reviewers.values()]:
            policies.forget_roles(user)

    def _user(self, email: str, full_name: str, password: str | None, **flags) -> User:
        user, created = User.objects.get_or_create(
            email=email, defaults={"full_name": full_name, **flags}
        )
        if password is None:
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
        elif created or not user.check_password(password):
            # A changed DEMO_PASSWORD applies on the next run, so demo_logins stays true.
            user.set_password(password)
            user.save(update_fields=["password"])
        return user

    def _at(self, days: int, hour: int) -> dt.datetime:
        return dt.datetime.combine(self.today + dt.timedelta(days=days), dt.time(hour), BELGRADE)

    # Calls and applications, through the services ------------------------------------

    def _build_call(self, spec: CallSpec) -> bool:
        """Build the call and its applications unless the call exists. True when built."""
        programme = self.programmes[spec.programme]
        existing = Call.objects.filter(programme=programme, title=spec.title).first()
        if existing is not None:
            self.calls[spec.key] = existing
            return False
        manager = self.managers[spec.programme]
        closes_later = spec.plan in ("closed", "in_review")
        # A draft call, its form and its rubric are plain data (no state change yet).
        call = Call.objects.create(
            programme=programme,
            title=spec.title,
            reference_prefix=spec.prefix,
            summary=spec.summary,
            description=f"{PROGRAMMES[spec.programme]['description']}\n\n{spec.summary}",
            scope=spec.scope,
            opens_at=self._at(spec.opens, 9),
            # A call that must look closed stays open until its applications are in.
            closes_at=self._at(2 if closes_later else spec.closes, 16),
            timezone="Europe/Belgrade",
            budget=Decimal(spec.budget),
            min_grant=Decimal(spec.min_grant),
            max_grant=Decimal(spec.max_grant),
            min_cofinancing_percent=Decimal(spec.cofinancing),
            eligible_countries=spec.countries,
            eligible_org_types=[str(t) for t in spec.org_types],
            reviewers_per_application=2,
            review_due_at=None if spec.review_due is None else self._at(spec.review_due, 16),
            **spec.review_rules,
            **spec.grant_terms,
        )
        questions = {}
        for order, question in enumerate(call_questions(**spec.questions), start=1):
            key = question.pop("key")
            questions[key] = CallQuestion.objects.create(call=call, order=order, **question)
        for order, (title, weight, max_score, threshold) in enumerate(
            CRITERIA[spec.criteria], start=1
        ):
            Criterion.objects.create(
                call=call,
                order=order,
                title=title,
                weight=Decimal(weight),
                max_score=Decimal(max_score),
                pass_threshold=None if threshold is None else Decimal(threshold),
            )
        self.calls[spec.key] = call
        for key in spec.reviewers:
            call_reviewer_add(
                call=call,
                actor=manager,
                email=self.reviewers[key].email,
                country=REVIEWER_COUNTRIES[key],
            )
        if spec.plan == "draft":
            return True
        call = call_publish(call=call, actor=manager)

        applications = [a for a in APPLICATIONS if a.call == spec.key]
        built = [(a, self._build_application(a, call, questions)) for a in applications]
        if closes_later:
            Call.objects.filter(pk=call.pk).update(closes_at=self._at(spec.closes, 16))
            call = call_close(call=call, actor=manager, comment="The deadline has passed.")
        for app_spec, application in built:
            for step in app_spec.steps[1:]:
                self._step(step, application, app_spec, manager)
        if spec.plan == "in_review":
            call = call_start_review(call=call, actor=manager, comment="Screening done.")
        if spec.review:
            self._review(spec, call, manager, built)
        return True

    # Review and selection, through the services in applications.services.review ----------------

    def _review(self, spec: CallSpec, call: Call, manager: User, built: list) -> None:
        """Assign, declare, score, moderate and decide, as far as `spec.review` says."""
        assignments_auto_assign(call=call, actor=manager)
        # Conflicts first: the service assigns each replacement before anyone scores.
        for app_spec, application in built:
            if app_spec.conflict:
                key, reason = app_spec.conflict
                assignment_declare(
                    assignment=self._assignment(application, key),
                    actor=self.reviewers[key],
                    conflict=True,
                    reason=reason,
                )
        criteria = list(call.criteria.order_by("order"))
        for app_spec, application in built:
            for variant, (key, scores) in enumerate(app_spec.reviews):
                assignment = self._assignment(application, key)
                self._score(assignment, self.reviewers[key], criteria, scores, variant)
        for app_spec, application in built:
            if app_spec.consensus:
                moderation_record_consensus(
                    application=application,
                    actor=manager,
                    scores={
                        c.pk: {"score": Decimal(str(score)), "justification": justification}
                        for c, (score, justification) in zip(
                            criteria, app_spec.consensus, strict=True
                        )
                    },
                )
        if spec.review not in ("proposed", "approved"):
            return
        award_list = award_list_propose(
            call=call,
            actor=manager,
            adjustments={
                application.pk: {"amount": Decimal(a.lower_to[0]), "reason": a.lower_to[1]}
                for a, application in built
                if a.lower_to
            },
            comment="From the ranking: the funding line within the call's budget.",
        )
        if spec.review == "approved":
            award_list_approve(
                award_list=award_list,
                actor=self.approvers[spec.programme],
                comment="Approved as proposed.",
            )

    def _assignment(self, application, key: str) -> ReviewAssignment:
        try:
            return ReviewAssignment.objects.get(
                application=application, reviewer=self.reviewers[key]
            )
        except ReviewAssignment.DoesNotExist:
            raise CommandError(
                f"The demo expects {key} to review {application.title!r}, but the automatic "
                "assignment chose otherwise: update the reviews in APPLICATIONS."
            ) from None

    def _score(
        self,
        assignment: ReviewAssignment,
        reviewer: User,
        criteria: list[Criterion],
        scores: tuple,
        variant: int,
    ) -> None:
        """Declare no conflict and score; submit when every criterion has a score."""
        if assignment.state == ReviewAssignment.State.INVITED:
            assignment = assignment_declare(assignment=assignment, actor=reviewer, conflict=False)
        values = [None if s is None else Decimal(str(s)) for s in scores]
        complete = None not in values
        recommendation = recommendation_for(criteria, values) if complete else None
        review_save(
            assignment=assignment,
            actor=reviewer,
            scores={
                c.pk: {"score": value, "comment": score_comment(c, value, variant + c.order)}
                for c, value in zip(criteria, values, strict=True)
                if value is not None
            },
            overall_comment=OVERALL_COMMENTS[recommendation] if complete else None,
            recommendation=recommendation,
        )
        if complete:
            review_submit(assignment=assignment, actor=reviewer)

    def _applicant(self, spec: AppSpec) -> User:
        return self.people[spec.by] if spec.by else self.contacts[spec.org]

    def _build_application(self, spec: AppSpec, call: Call, questions: dict):
        org = self.orgs[spec.org]
        actor = self._applicant(spec)
        application = application_create(call=call, organisation=org, actor=actor, title=spec.title)
        theme = THEMES[spec.theme]
        answers = {"summary": spec.summary, "problem": theme.problem.format(city=org.city)}
        if spec.complete:
            answers |= {
                "activities": theme.activities,
                "cooperation": theme.cooperation,
                "reach": str(spec.reach),
                "focus": questions["focus"].choices[spec.focus],
                "start": (self.today + dt.timedelta(days=75)).replace(day=1).isoformat(),
            }
        application_update(
            application=application,
            actor=actor,
            version=None,
            answers={questions[k].pk: v for k, v in answers.items() if k in questions},
            budget_lines=budget_lines_of(*spec.budget),
        )
        for partner, role in spec.partners:
            partner_add(
                application=application, actor=actor, organisation=self.orgs[partner], role=role
            )
        if spec.complete:
            attachment_add(
                application=application,
                actor=actor,
                upload=_certificate(org),
                question=questions["certificate"],
            )
        if spec.steps[:1] == (SUBMIT,):
            application = application_submit(application=application, actor=actor)
        return application

    def _step(self, step: tuple, application, spec: AppSpec, manager: User) -> None:
        name, *args = step
        applicant = self._applicant(spec)
        if name == "clarify":
            question, days = args
            application_request_clarification(
                application=application,
                actor=manager,
                question=question,
                response_due_at=self._at(days, 16),
            )
        elif name == "answer":
            application_answer_clarification(
                application=application, actor=applicant, answer=args[0]
            )
        elif name == "eligible":
            application_screen(application=application, actor=manager, eligible=True)
        elif name == "ineligible":
            application_screen(
                application=application, actor=manager, eligible=False, reason=args[0]
            )
        elif name == "withdraw":
            application_withdraw(application=application, actor=applicant, comment=args[0])
        else:
            raise ValueError(f"Unknown demo step {name!r}")

    # After the award, through the grant and report services --------------------------

    def _after_award(self) -> int:
        """Indicators, rates, the donors' grants started, and the decided call's sub-grants
        driven as AFTER_AWARD says. Returns how many sub-grants were driven (0 when done)."""
        programme = self.programmes["safe_routes"]
        manager = self.managers["safe_routes"]
        for order, (code, name, unit, target) in enumerate(INDICATORS, start=1):
            Indicator.objects.get_or_create(
                programme=programme,
                name=name,
                defaults={"order": order, "code": code, "unit": unit, "target": Decimal(target)},
            )
        first_month = add_months(self.today.replace(day=1), -(len(RATES["RSD"]) - 1))
        for currency, rates in RATES.items():
            for index, rate in enumerate(rates):
                month = add_months(first_month, index)
                if not ExchangeRate.objects.filter(
                    programme=programme, currency=currency, month=month
                ).exists():
                    exchange_rate_set(
                        programme=programme,
                        actor=manager,
                        currency=currency,
                        month=month,
                        rate=Decimal(rate),
                    )
        # The donors' grants: signed and started by the lead organisations' administrators.
        for key, admin in (("eu", self.people["manager"]), ("sem", self.people["manager2"])):
            incoming = self.grants[key]
            if incoming.state == Grant.State.AWARDED:
                incoming = grant_sign(grant=incoming, actor=admin)
                grant_change_state(grant=incoming, actor=admin, name="activate")
        call = self.calls.get("local")
        driven = 0
        for plan in AFTER_AWARD:
            grant = Grant.objects.filter(
                application__call=call, organisation=self.orgs[plan.org]
            ).first()
            if grant is not None and grant.state == Grant.State.AWARDED:
                self._drive_grant(grant, plan)
                driven += 1
        return driven

    def _grantee(self, plan: AfterAward) -> User:
        return self.people["applicant"] if plan.org == "sigurna_luka" else self.contacts[plan.org]

    def _drive_grant(self, grant: Grant, plan: AfterAward) -> None:
        programme = grant.programme
        manager = self.managers["safe_routes"]
        approver = self.approvers["safe_routes"]
        grantee = self._grantee(plan)
        # The one shortcut here: pretend the grant started about seven months ago, so its
        # interim period has ended (dates only; every state below changes by a service).
        shift = (self.today - dt.timedelta(days=200)) - grant.start_date
        Grant.objects.filter(pk=grant.pk).update(
            start_date=grant.start_date + shift, end_date=grant.end_date + shift
        )
        for report in grant.reports.all():
            Report.objects.filter(pk=report.pk).update(
                period_start=report.period_start + shift,
                period_end=report.period_end + shift,
                due_date=report.due_date + shift,
            )
        grant.refresh_from_db()
        grant = grant_sign(grant=grant, actor=grantee)
        if plan.activate:
            grant = grant_change_state(grant=grant, actor=manager, name="activate")
        first = grant.tranches.get(number=1)
        if plan.pay_first:
            self._pay(first, approver, paid_on=grant.start_date + dt.timedelta(days=5))

        interim = grant.reports.get(number=1)
        report_open(report=interim, actor=manager)
        if plan.plan == "open":
            return
        indicators = list(programme.indicators.order_by("order"))
        rate = Decimal(1)
        if plan.currency != grant.currency:
            rate = ExchangeRate.objects.get(
                programme=programme,
                currency=plan.currency,
                month=interim.period_end.replace(day=1),
            ).rate
        report_save(
            report=interim,
            actor=grantee,
            version=None,
            currency=plan.currency,
            narrative={
                question: NARRATIVE[i].format(a=plan.indicators[1] or 4)
                for i, question in enumerate(programme.report_questions)
            },
            # About 45 % of each line spent in the first half, in the report's currency.
            spending={
                line.pk: (line.amount * Decimal("0.45") * rate).quantize(Decimal("0.01"))
                for line in grant.budget_lines.all()
            },
            indicators={
                indicator.pk: value
                for indicator, value in zip(indicators, plan.indicators, strict=True)
            },
        )
        report_submit(report=interim, actor=grantee)
        if plan.plan == "changes_requested":
            report_request_changes(
                report=interim,
                actor=manager,
                comments={
                    "financial": "Attach the receipts for the venue hire and explain why the "
                    "travel line is spent faster than the others."
                },
            )
        elif plan.plan == "approved":
            report_approve(report=interim, actor=manager, comment="Clear report, thank you.")
            second = grant.tranches.get(number=2)
            self._pay(second, approver, paid_on=self.today - dt.timedelta(days=3))
            self._amend_and_visit(grant, grantee, manager)

    def _pay(self, tranche: Tranche, approver: User, *, paid_on: dt.date) -> None:
        """The tranche became due by its trigger (the system); the approver approves and pays."""
        tranche = tranche_approve(tranche=tranche, actor=approver)
        tranche_pay(
            tranche=tranche,
            actor=approver,
            paid_on=paid_on,
            reference=f"DEMO-PAY-{tranche.grant_id:03d}-{tranche.number}",
        )

    def _amend_and_visit(self, grant: Grant, grantee: User, manager: User) -> None:
        amendment = amendment_request(
            grant=grant,
            actor=grantee,
            kind=Amendment.Kind.EXTENSION,
            justification="The radio station closed for two months for renovation; the last "
            "broadcasts and the closing event move to the following quarter.",
            changes={"end_date": add_months(grant.end_date, 2).isoformat()},
        )
        amendment_decide(
            amendment=amendment,
            actor=manager,
            approve=True,
            comment="A no-cost extension of two months; the budget stays as it is.",
        )
        visit = visit_record(
            grant=grant,
            actor=manager,
            visited_on=self.today - dt.timedelta(days=25),
            visitors="Dragan Ilić (Civic Bridges)",
            findings="Sessions well attended (about 20 young people each), good cooperation "
            "with the school; the attendance lists do not say who is under 18.",
            actions=[
                {
                    "description": "Add the age group to the attendance lists.",
                    "due_date": self.today - dt.timedelta(days=10),
                },
                {
                    "description": "Send the recordings of the broadcasts for the archive.",
                    "due_date": self.today + dt.timedelta(days=20),
                },
            ],
        )
        follow_up_close(
            action=visit.actions.order_by("due_date").first(),
            actor=grantee,
            note="The lists now have an age column; the last three are attached.",
        )
