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
import os
import unicodedata
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
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
    OrganisationType,
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

BELGRADE = ZoneInfo("Europe/Belgrade")
DOMAIN = "demo.regrant.local"
DEFAULT_PASSWORD = "regrant-demo"


def demo_password() -> str:
    """The one password of every demo login: DEMO_PASSWORD (environment or .env), or the default."""
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD


# Personas --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Persona:
    key: str
    label: str
    email: str
    full_name: str
    try_first: str


# How some demo people want their news: in their own language, or one e-mail a day.
PREFERENCES = {
    "applicant2": {"language": "bs"},
    "reviewer": {"language": "sq"},
    "donor": {"timezone": "Europe/Brussels", "notification_email": "digest", "digest_hour": 8},
}

PERSONAS = (
    Persona(
        "applicant",
        "Applicant (Sigurna Luka, RS)",
        f"applicant@{DOMAIN}",
        "Jelena Marković",
        "Write the interim report of your awarded grant at /grants/; finish the Serbian draft.",
    ),
    Persona(
        "applicant2",
        "Applicant (Most Bihać, BA)",
        f"applicant2@{DOMAIN}",
        "Amra Hodžić",
        "Answer the clarification request on the service pilots call.",
    ),
    Persona(
        "manager",
        "Programme manager (Safe Routes)",
        f"manager@{DOMAIN}",
        "Dragan Ilić",
        "Review the submitted Tuzla report at /manage/ (Safe Routes portfolio); screen North Macedonia.",
    ),
    Persona(
        "approver",
        "Approver (Safe Routes)",
        f"approver@{DOMAIN}",
        "Milica Stojanović",
        "Approve and pay the due tranche of the Bar grant; decide the Montenegro award list.",
    ),
    Persona(
        "donor",
        "Donor observer (EU, Safe Routes)",
        f"donor@{DOMAIN}",
        "Claire Dubois",
        "Download the Safe Routes donor report (XLSX or CSV); everything else read-only.",
    ),
    Persona(
        "reviewer",
        "Reviewer (expert, XK)",
        f"reviewer@{DOMAIN}",
        "Arben Krasniqi",
        "Service pilots call: declare on the new invitation, then finish the half-scored review.",
    ),
    Persona(
        "reviewer2",
        "Reviewer (expert, HR)",
        f"reviewer2@{DOMAIN}",
        "Petra Novak",
        "See your declared conflict and submitted reviews, and the other reviews after yours.",
    ),
    Persona(
        "manager2",
        "Programme manager (SEM, Norway)",
        f"manager2@{DOMAIN}",
        "Selma Begić",
        "Moderate the divergent application on the service pilots call; Safe Routes stays invisible.",
    ),
    Persona(
        "operator",
        "Operator (superuser)",
        f"operator@{DOMAIN}",
        "Demo Operator",
        "/admin/: calls, award lists and grants with their transitions; reports, tranches; the log.",
    ),
)

# Reviewers: persona or expert key → country (for the calls that exclude the applicant's
# country). Experts are reviewers without a demo login: they only score in the demo.
REVIEWER_COUNTRIES = {"reviewer": "XK", "reviewer2": "HR", "expert_me": "ME"}
EXPERTS = {"expert_me": "Vesna Radulović"}


# Organisations, donors, grants, programmes -----------------------------------------------

CSO, GRASSROOTS, NETWORK = (
    OrganisationType.CSO,
    OrganisationType.GRASSROOTS,
    OrganisationType.NETWORK,
)


class Org(NamedTuple):
    legal_name: str
    short_name: str
    country: str
    city: str
    org_type: str
    contact: str  # full name of the member who applies for it; "" for none


ORGANISATIONS: dict[str, Org] = {
    # Leads of the three programmes
    "civic_bridges": Org("Mreža Građanski Mostovi", "Civic Bridges", "RS", "Beograd", NETWORK, ""),
    "msu": Org("Mreža socijalnih usluga BiH", "MSU", "BA", "Sarajevo", NETWORK, ""),
    "bizi": Org("Beogradska inicijativa za zaštitu izbeglica", "BIZI", "RS", "Beograd", CSO, ""),
    # Serbia
    "sigurna_luka": Org(
        "Udruženje građana Sigurna Luka", "Sigurna Luka", "RS", "Subotica", CSO, ""
    ),
    "cppz_nis": Org(
        "Centar za pravnu pomoć i zastupanje Niš", "CPPZ Niš", "RS", "Niš", CSO, "Nikola Đorđević"
    ),
    # Bosnia and Herzegovina
    "most_bihac": Org("Fondacija Most Bihać", "Most Bihać", "BA", "Bihać", CSO, ""),
    "zzz_tuzla": Org(
        "Udruženje Žene za zajednicu Tuzla", "ŽZZ Tuzla", "BA", "Tuzla", CSO, "Lejla Mehmedović"
    ),
    # Montenegro
    "pravni_kompas": Org(
        "NVO Pravni kompas", "Pravni kompas", "ME", "Podgorica", CSO, "Marija Vuković"
    ),
    "ok_bar": Org("Omladinski klub Bar", "OK Bar", "ME", "Bar", GRASSROOTS, "Luka Radović"),
    "cgs_niksic": Org(
        "Centar za građanske slobode Nikšić", "CGS Nikšić", "ME", "Nikšić", CSO, "Jovana Šćepanović"
    ),
    "nvo_sjever": Org("NVO Sjever", "Sjever", "ME", "Bijelo Polje", CSO, "Milan Bulatović"),
    # North Macedonia
    "patokaz": Org("Združenie Patokaz", "Patokaz", "MK", "Skopje", CSO, "Elena Trajkovska"),
    "mf_kumanovo": Org(
        "Mladinski forum Kumanovo", "MF Kumanovo", "MK", "Kumanovo", GRASSROOTS, "Stefan Ristov"
    ),
    "csg": Org(
        "Centar za solidarnost Gevgelija", "CS Gevgelija", "MK", "Gevgelija", CSO, "Ivana Kostova"
    ),
    "pk_tetovo": Org("Pravna klinika Tetovo", "PK Tetovo", "MK", "Tetovo", CSO, "Blerim Xhaferi"),
    "mz_bitola": Org(
        "Mreža za zaednica Bitola", "MZ Bitola", "MK", "Bitola", CSO, "Ana Nikolovska"
    ),
    "nov_pocetok": Org(
        "Združenie Nov početok Štip", "Nov početok", "MK", "Štip", CSO, "Goran Petrov"
    ),
    "iob_ohrid": Org(
        "Inicijativa Ohridski bregovi", "IOB Ohrid", "MK", "Ohrid", GRASSROOTS, "Marko Talevski"
    ),
    # Albania
    "horizonte": Org(
        "Shoqata Horizonte të Reja", "Horizonte", "AL", "Shkodër", CSO, "Erjona Hoxha"
    ),
    "kompasi": Org("Qendra Kompasi", "Kompasi", "AL", "Tiranë", CSO, "Klodian Shehu"),
    # Kosovo
    "iqp_prizren": Org(
        "Iniciativa Qytetare Prizren", "IQ Prizren", "XK", "Prizren", CSO, "Driton Berisha"
    ),
    "rrm_mitrovice": Org(
        "Rrjeti Rinor Mitrovicë", "RR Mitrovicë", "XK", "Mitrovicë", GRASSROOTS, "Vjosa Gashi"
    ),
}

# The org-id.guide register of a few demo organisations, where it is certain: associations
# in Serbia are registered with the Serbian Business Registrations Agency (APR). The others
# leave it empty ("other or not known"). The numbers themselves are made up (DEMO-…).
REGISTRIES = {"civic_bridges": "RS-APR", "sigurna_luka": "RS-APR", "cppz_nis": "RS-APR"}

# Persona → (organisation, membership role)
PERSONA_MEMBERSHIPS = {
    "applicant": ("sigurna_luka", Membership.Role.ADMIN),
    "applicant2": ("most_bihac", Membership.Role.ADMIN),
    "manager": ("civic_bridges", Membership.Role.ADMIN),
    "approver": ("civic_bridges", Membership.Role.MEMBER),
    "manager2": ("msu", Membership.Role.ADMIN),
}

DONORS = {
    "eu": ("European Union", "EU"),
    "sem": ("Swiss State Secretariat for Migration", "SEM"),
    "norway": ("Royal Norwegian Embassy in Belgrade", "Norway"),
}

GRANTS = {
    "eu": {
        "title": "Regional civil-society response to migrant smuggling (EU action grant)",
        "organisation": "civic_bridges",
        "donor": "eu",
        "reference": "DEMO-EU-2026/041",
        "amount": Decimal("2400000.00"),
        "max_subgrant_amount": Decimal("50000.00"),
        "min_cofinancing_percent": Decimal("10.00"),
        "max_cofinancing_percent": Decimal("50.00"),
        "reporting_period_months": 6,
    },
    "sem": {
        "title": "Community services along the Balkan route (SEM contribution)",
        "organisation": "msu",
        "donor": "sem",
        "reference": "DEMO-SEM-0193",
        "amount": Decimal("650000.00"),
        "max_subgrant_amount": Decimal("25000.00"),
        "min_cofinancing_percent": Decimal("5.00"),
        "max_cofinancing_percent": Decimal("50.00"),
        "reporting_period_months": 12,
    },
}

PROGRAMMES = {
    "safe_routes": {
        "title": "Safe Routes Fund: local and regional action against migrant smuggling",
        "owner": "civic_bridges",
        "donors": ["eu"],
        "parent_grant": "eu",
        "budget": Decimal("720000.00"),
        "description": (
            "Demo programme (fictional). A regional network re-grants part of an EU grant to "
            "civil-society organisations in the six Western Balkan countries: national projects "
            "raise awareness, give legal aid and monitor how smuggled migrants are treated; "
            "regional projects build a shared response across borders."
        ),
        "roles": {"manager": "manager", "approver": "approver", "donor": "observer"},
    },
    "services": {
        "title": "Community Services for People on the Move",
        "owner": "msu",
        "donors": ["sem"],
        "parent_grant": "sem",
        "budget": Decimal("240000.00"),
        "description": (
            "Demo programme (fictional). Small grants for organisations that pilot social and "
            "legal services for migrants with local institutions: interpretation and cultural "
            "mediation, counselling, referral."
        ),
        "roles": {"manager2": "manager"},
    },
    "watch": {
        "title": "Asylum and Readmission Watch, Serbia",
        "owner": "bizi",
        "donors": ["norway"],
        "parent_grant": None,
        "budget": Decimal("90000.00"),
        "description": (
            "Demo programme (fictional). Grants for monitoring how asylum seekers and returnees "
            "under readmission agreements are received, and for policy work based on what is found."
        ),
        "roles": {"manager2": "manager"},
    },
}


# Calls -----------------------------------------------------------------------------------

TEXT, LONG, NUMBER, CHOICE, DATE, FILE = (
    CallQuestion.Kind.TEXT,
    CallQuestion.Kind.LONG_TEXT,
    CallQuestion.Kind.NUMBER,
    CallQuestion.Kind.CHOICE,
    CallQuestion.Kind.DATE,
    CallQuestion.Kind.FILE,
)

FOCUS = ["Prevention and awareness", "Monitoring and reporting", "Legal aid", "Policy and advocacy"]
SERVICE_TYPES = [
    "Interpretation and cultural mediation",
    "Legal counselling",
    "Psychosocial support",
    "Referral and case management",
]


def _questions(*, regional: bool = False, services: bool = False) -> list[dict]:
    """The application form: (key, fields). Keys only link the demo answers to the questions."""
    questions = [
        (
            "summary",
            TEXT,
            "Project summary in one sentence",
            250,
            "What will change, for whom, where.",
        ),
        (
            "problem",
            LONG,
            "Which service is missing today, and for whom?"
            if services
            else "Which problem does the project address, and for whom?",
            2500,
            "",
        ),
        (
            "activities",
            LONG,
            "Activities and timeline",
            4000,
            "By month or by phase: who does what.",
        ),
    ]
    if regional:
        questions.append(
            (
                "cooperation",
                LONG,
                "How will the organisations in different countries work together?",
                2000,
                "",
            )
        )
    questions += [
        ("reach", NUMBER, "How many people will the project reach directly?", None, ""),
        ("focus", CHOICE, "Type of service" if services else "Main focus", None, ""),
        ("start", DATE, "Planned start date", None, "Projects run for 6 to 12 months."),
        ("certificate", FILE, "Registration certificate", None, "PDF or a scan."),
    ]
    specs = []
    for key, kind, label, max_length, help_text in questions:
        spec = {"key": key, "kind": kind, "label": label, "help_text": help_text}
        if max_length:
            spec["max_length"] = max_length
        if kind == CHOICE:
            spec["choices"] = SERVICE_TYPES if services else FOCUS
        specs.append(spec)
    if not services:
        specs.append(
            {
                "key": "support",
                "kind": FILE,
                "label": "Letters of support from local institutions",
                "help_text": "Optional.",
                "required": False,
            }
        )
    return specs


CRITERIA = {
    "national": [
        ("Relevance to the call's objectives", 30, 5, 3),
        ("Capacity and experience of the applicant", 20, 5, 2),
        ("Methodology and feasibility", 25, 5, 3),
        ("Value for money", 15, 5, 2),
        ("Sustainability and local ownership", 10, 5, None),
    ],
    "regional": [
        ("Relevance to the call's objectives", 25, 5, 3),
        ("Cross-border added value", 20, 5, 3),
        ("Methodology and feasibility", 25, 5, 3),
        ("Strength of the partnership", 15, 5, 2),
        ("Value for money", 15, 5, 2),
    ],
    "services": [
        ("Need for the service", 40, 10, 5),
        ("Quality and safeguarding", 35, 10, 5),
        ("Cost and continuity after the grant", 25, 10, None),
    ],
}

NATIONAL_TYPES = [CSO, GRASSROOTS]


@dataclass(frozen=True)
class CallSpec:
    key: str
    programme: str
    title: str
    prefix: str
    plan: str  # "draft", "open", "closed" or "in_review"
    opens: int  # days from today (Europe/Belgrade), 09:00
    closes: int  # days from today, 16:00; for closed calls, where the deadline ends up
    countries: list[str]
    org_types: list[str]
    budget: int
    min_grant: int
    max_grant: int
    cofinancing: int
    criteria: str
    summary: str
    scope: str = Call.Scope.NATIONAL
    questions: dict = field(default_factory=dict)  # keyword arguments of _questions()
    # The reviewer pool (keys of REVIEWER_COUNTRIES), added through `call_reviewer_add`.
    reviewers: tuple[str, ...] = ()
    # How far review goes on an "in_review" call: "" (not started), "partial" (reviews under
    # way, one application in moderation), "proposed" (all reviews in, an award list waits for
    # the approver) or "approved" (the approver approved it: the call is decided).
    review: str = ""
    review_rules: dict = field(default_factory=dict)  # the call's review settings
    review_due: int | None = None  # days from today, 16:00
    grant_terms: dict = field(default_factory=dict)  # the grants' tranches and reporting


def _national(key: str, country: str, name: str, plan: str, opens: int, closes: int) -> CallSpec:
    return CallSpec(
        key=key,
        programme="safe_routes",
        title=f"National projects call: {name}",
        prefix=f"SRF-NAT-{country}",
        plan=plan,
        opens=opens,
        closes=closes,
        countries=[country],
        org_types=NATIONAL_TYPES,
        budget=60000,
        min_grant=5000,
        max_grant=15000,
        cofinancing=10,
        criteria="national",
        summary=(
            f"Grants of 5,000 to 15,000 EUR for organisations registered in {name} that raise "
            "awareness of migrant smuggling, give legal aid, or monitor how smuggled migrants "
            "are treated."
        ),
    )


CALLS = [
    _national("nat_rs", "RS", "Serbia", "open", -10, 21),
    _national("nat_ba", "BA", "Bosnia and Herzegovina", "open", -8, 24),
    _national("nat_al", "AL", "Albania", "open", -6, 28),
    CallSpec(
        key="regional",
        programme="safe_routes",
        title="Regional projects call: a shared response across borders",
        prefix="SRF-REG",
        plan="open",
        opens=-12,
        closes=35,
        countries=["AL", "BA", "ME", "MK", "RS", "XK"],
        org_types=[CSO, NETWORK],
        budget=300000,
        min_grant=20000,
        max_grant=50000,
        cofinancing=10,
        criteria="regional",
        scope=Call.Scope.REGIONAL,
        questions={"regional": True},
        summary=(
            "Grants of 20,000 to 50,000 EUR for partnerships of organisations from at least two "
            "Western Balkan countries working on one regional response to migrant smuggling."
        ),
    ),
    replace(
        _national("nat_mk", "MK", "North Macedonia", "closed", -40, -5),
        reviewers=("reviewer", "reviewer2"),
    ),
    # Reviewed: all reviews in, the award list proposed by the manager waits for the approver.
    replace(
        _national("nat_me", "ME", "Montenegro", "in_review", -70, -30),
        budget=30000,
        reviewers=("reviewer", "reviewer2"),
        review="proposed",
        review_rules={"score_step": Decimal("0.5")},
        review_due=-12,
    ),
    # Decided: reviewed blind, one application moderated, the award list approved.
    CallSpec(
        key="local",
        programme="safe_routes",
        title="Local initiatives call: first round",
        prefix="SRF-LOC1",
        plan="in_review",
        opens=-125,
        closes=-85,
        countries=["AL", "BA", "ME", "MK", "RS", "XK"],
        org_types=NATIONAL_TYPES,
        budget=36000,
        min_grant=4000,
        max_grant=10000,
        cofinancing=10,
        criteria="national",
        reviewers=("reviewer", "reviewer2"),
        review="approved",
        review_rules={
            "blind_review": True,
            "other_reviews_visible": Call.ReviewVisibility.NEVER,
            "score_step": Decimal("0.5"),
        },
        review_due=-65,
        # 40 % on signature, 40 % once the interim report is approved, 20 % after the final.
        grant_terms={
            "tranche_template": [
                {"percent": 40, "trigger": "signature"},
                {"percent": 40, "trigger": "report:1"},
                {"percent": 20, "trigger": "final_report"},
            ]
        },
        summary=(
            "Grants of 4,000 to 10,000 EUR for small organisations and informal groups in the six "
            "Western Balkan countries that start local work against migrant smuggling."
        ),
    ),
    _national("nat_xk", "XK", "Kosovo", "draft", 14, 60),
    CallSpec(
        key="svc_open",
        programme="services",
        title="Local service pilots: second round",
        prefix="CSM-2",
        plan="open",
        opens=-7,
        closes=30,
        countries=["AL", "BA", "ME", "MK", "RS"],
        org_types=[CSO, GRASSROOTS, NETWORK],
        budget=120000,
        min_grant=5000,
        max_grant=25000,
        cofinancing=5,
        criteria="services",
        scope=Call.Scope.REGIONAL,
        questions={"services": True},
        summary=(
            "Up to 25,000 EUR to pilot a social or legal service for migrants together with a "
            "local institution, for at least six months."
        ),
    ),
    CallSpec(
        key="svc_pilot",
        programme="services",
        title="Local service pilots: first round",
        prefix="CSM-1",
        plan="in_review",
        opens=-70,
        closes=-20,
        countries=["AL", "BA", "ME", "MK", "RS"],
        org_types=[CSO, GRASSROOTS, NETWORK],
        budget=100000,
        min_grant=5000,
        max_grant=25000,
        cofinancing=5,
        criteria="services",
        scope=Call.Scope.REGIONAL,
        questions={"services": True},
        # Reviews under way: a conflict and its replacement, one application in moderation,
        # work left for the reviewer persona. Scored in whole points; no reviewer from the
        # applicant's country.
        reviewers=("reviewer", "reviewer2", "expert_me"),
        review="partial",
        review_rules={
            "exclude_same_country": True,
            "score_step": Decimal("1"),
            "comments_required": True,
            "other_reviews_visible": Call.ReviewVisibility.AFTER_SUBMIT,
            "divergence_threshold_percent": Decimal("30"),
            "pass_threshold": Decimal("50"),
        },
        review_due=9,
        summary=(
            "Up to 25,000 EUR to pilot a social or legal service for migrants together with a "
            "local institution, for at least six months."
        ),
    ),
    CallSpec(
        key="watch_2026",
        programme="watch",
        title="Monitoring grants: reception of asylum seekers and returnees",
        prefix="ARW",
        plan="open",
        opens=-3,
        closes=42,
        countries=["RS"],
        org_types=[CSO, NETWORK],
        budget=45000,
        min_grant=5000,
        max_grant=15000,
        cofinancing=0,
        criteria="national",
        summary=(
            "Grants for organisations in Serbia that monitor asylum and readmission practice in "
            "the field and turn their findings into policy proposals."
        ),
    ),
]


# Applications ----------------------------------------------------------------------------


class Theme(NamedTuple):
    problem: str
    activities: str
    cooperation: str


THEMES = {
    "awareness": Theme(
        "Young people in {city} are approached on social media with offers of an easy crossing "
        "or a job abroad. Schools and youth centres have nothing that explains the risks of "
        "smuggling or where to turn for help, and institutions rarely talk to young people "
        "about it.",
        "Months 1–2: train twelve youth workers and teachers together with the local Red Cross "
        "and the police liaison officer. Months 3–6: forty peer-led sessions in secondary schools "
        "and youth centres. Months 4–8: short videos in local languages, made with the "
        "participants and shared by the municipality. Month 9: a public event where young people "
        "present what they learned and what they ask of institutions.",
        "Each partner runs the sessions in its own country with the same training package; the "
        "partners meet online every month and once in person, and publish one joint guide.",
    ),
    "monitoring": Theme(
        "People who reached {city} with the help of smugglers stay in reception and transit "
        "centres nearby, but nobody independent records whether they get information in a "
        "language they understand, interpretation and legal aid. Problems are known only by "
        "hearsay and are never raised with the authorities.",
        "Monthly field visits by a lawyer and an interpreter, with a short questionnaire agreed "
        "with the centre management; interviews with the police, the centre for social work and "
        "the health centre; a monitoring report with recommendations, discussed with the "
        "institutions at a round table in month 10.",
        "The partners use one questionnaire and one reporting format so that the findings of "
        "each country can be compared; the regional report goes to the ministries of every "
        "country involved.",
    ),
    "legal_aid": Theme(
        "People who have been smuggled are often treated as offenders rather than as people "
        "entitled to protection. Few lawyers and social workers in {city} know how to recognise "
        "a smuggled migrant or a victim of trafficking, or where to refer them.",
        "A legal-aid desk open two days a week; training for fifteen lawyers and social workers "
        "on identification and referral; referrals to shelters and health services; a short "
        "practice note for local institutions, tested with them before it is published.",
        "The partners exchange anonymised cases and referral contacts across borders, so that a "
        "person who moves on is not lost between two systems.",
    ),
    "policy": Theme(
        "The rules on protecting smuggled migrants are incomplete and are applied differently "
        "from one municipality to the next around {city}; civil society has no shared position "
        "to bring to the authorities.",
        "Compare the national rules with EU standards; interview ten officials; draft standard "
        "operating procedures with the institutions that would use them; hold a national round "
        "table; agree an advocacy plan with the partner network.",
        "Each partner writes the chapter on its own country; together they agree common "
        "recommendations and present them at a regional conference.",
    ),
    "services": Theme(
        "The centre for social work in {city} has no interpreter or cultural mediator, so "
        "people on the move cannot explain what they need or understand the help they are "
        "offered; staff call volunteers when they can find one.",
        "A pool of six trained mediators (Arabic, Farsi, Pashto, Urdu) on call by phone and in "
        "person; a referral protocol agreed with the centre for social work and the health "
        "centre; a monthly case conference; a short guide for frontline staff.",
        "",
    ),
}

# Steps after creation. "submit" runs while the call is open; for a call that closes, the rest
# runs after it closed. ("clarify", question, days to answer), ("answer", text),
# ("eligible",), ("ineligible", reason), ("withdraw", comment).
SUBMIT = ("submit",)
ELIGIBLE = ("eligible",)


class AppSpec(NamedTuple):
    call: str
    org: str
    title: str
    summary: str
    theme: str
    budget: tuple[int, int]  # requested, own contribution (EUR)
    steps: tuple = ()
    complete: bool = True  # a complete draft: every question answered, certificate attached
    partners: tuple = ()  # (organisation key, role)
    by: str = ""  # persona who applies; "" for the organisation's contact
    reach: int = 120
    focus: int = 0
    # Review, on a call under review: (reviewer key, reason) of a conflict declared before
    # anyone scores; (reviewer key, a score per criterion in order) of each review — a None
    # score leaves the review saved half-done, an assigned reviewer not listed has not
    # declared yet; the moderator's (score, justification) per criterion; and a lower amount
    # with its reason in the award list.
    conflict: tuple = ()
    reviews: tuple = ()
    consensus: tuple = ()
    lower_to: tuple = ()


APPLICATIONS = [
    # Serbia, open: the applicant persona's draft (not finished yet), and a submitted one.
    AppSpec(
        "nat_rs",
        "sigurna_luka",
        "Safe Crossings: young people in Subotica talk about smuggling",
        "Young people in Subotica learn to recognise smugglers' offers and where to get help.",
        "awareness",
        (11000, 1400),
        complete=False,
        by="applicant",
    ),
    AppSpec(
        "nat_rs",
        "cppz_nis",
        "A legal-aid desk for smuggled migrants in Niš",
        "Smuggled migrants in Niš get legal aid and are referred to protection, not prosecution.",
        "legal_aid",
        (12000, 1500),
        steps=(SUBMIT,),
        reach=90,
        focus=2,
    ),
    # Bosnia and Herzegovina, open
    AppSpec(
        "nat_ba",
        "most_bihac",
        "Know the Risks: a youth campaign in Una-Sana canton",
        "Secondary-school students in Bihać and Cazin lead a campaign on the risks of smuggling.",
        "awareness",
        (9000, 1000),
        complete=False,
        by="applicant2",
    ),
    AppSpec(
        "nat_ba",
        "zzz_tuzla",
        "Women on the route: monitoring reception in Tuzla canton",
        "Women's groups record how women and children arriving in Tuzla are received.",
        "monitoring",
        (9500, 1100),
        steps=(SUBMIT,),
        reach=150,
        focus=1,
    ),
    # Albania, open
    AppSpec(
        "nat_al",
        "horizonte",
        "Watching the northern border: monitoring in Shkodër",
        "Independent monthly monitoring of how people crossing near Shkodër are treated.",
        "monitoring",
        (11000, 1300),
        steps=(SUBMIT,),
        reach=200,
        focus=1,
    ),
    AppSpec(
        "nat_al",
        "kompasi",
        "From rules to practice: protecting smuggled migrants in Albania",
        "A policy paper and draft procedures, written with the institutions that will use them.",
        "policy",
        (8000, 900),
        complete=False,
        focus=3,
    ),
    # Regional, open: both applicant personas have submitted.
    AppSpec(
        "regional",
        "sigurna_luka",
        "Across the Route: joint monitoring in Serbia, Montenegro and Kosovo",
        "Three organisations monitor reception along one route with one method and one report.",
        "monitoring",
        (42000, 5000),
        steps=(SUBMIT,),
        partners=(
            ("pravni_kompas", "Monitoring in Montenegro; co-author of the regional report"),
            ("iqp_prizren", "Monitoring and interviews in Kosovo"),
        ),
        by="applicant",
        reach=400,
        focus=1,
    ),
    AppSpec(
        "regional",
        "most_bihac",
        "Shared Standards: protecting smuggled migrants in Bosnia and Herzegovina and Albania",
        "Two organisations propose common procedures to protect smuggled migrants.",
        "policy",
        (38000, 4500),
        steps=(SUBMIT,),
        partners=(("kompasi", "Leads the research and advocacy in Albania"),),
        by="applicant2",
        reach=60,
        focus=3,
    ),
    # North Macedonia, closed: screened.
    AppSpec(
        "nat_mk",
        "patokaz",
        "Monitoring the southern transit centres",
        "Monthly monitoring of information, interpretation and legal aid in two transit centres.",
        "monitoring",
        (14000, 1600),
        steps=(
            SUBMIT,
            (
                "clarify",
                "The budget includes a rented vehicle for twelve months. Is it used only for the "
                "field visits, and how will its use be recorded?",
                7,
            ),
            (
                "answer",
                "Only for the monthly field visits to the two transit centres; we keep a logbook "
                "and attach it to every financial report.",
            ),
            ELIGIBLE,
        ),
        reach=300,
        focus=1,
    ),
    AppSpec(
        "nat_mk",
        "mf_kumanovo",
        "Peer educators against smuggling in Kumanovo",
        "Twenty young peer educators run sessions on smuggling risks in Kumanovo's schools.",
        "awareness",
        (8000, 1000),
        steps=(SUBMIT, ELIGIBLE),
        reach=600,
    ),
    AppSpec(
        "nat_mk",
        "csg",
        "Legal information point at the southern border",
        "A weekly legal information point for people stopped near the border.",
        "legal_aid",
        (6500, 800),
        steps=(
            SUBMIT,
            (
                "ineligible",
                "The registration certificate shows that the association was registered less "
                "than twelve months before the call closed; the call requires at least twelve.",
            ),
        ),
        reach=80,
        focus=2,
    ),
    AppSpec(
        "nat_mk",
        "pk_tetovo",
        "Lawyers who recognise smuggled migrants: training in the Polog region",
        "Fifteen lawyers and social workers learn to identify and refer smuggled migrants.",
        "legal_aid",
        (10000, 1200),
        steps=(
            SUBMIT,
            (
                "clarify",
                "Two trainers named in the activities are also members of your board. Explain how "
                "their fees were set and who approves their timesheets.",
                7,
            ),
        ),
        reach=45,
        focus=2,
    ),
    AppSpec(
        "nat_mk",
        "mz_bitola",
        "Community dialogue on migration in Bitola",
        "Residents, institutions and migrants meet to discuss safety and smuggling.",
        "awareness",
        (7000, 900),
        steps=(
            SUBMIT,
            ("withdraw", "Our lead trainer has left the organisation; we will apply next round."),
        ),
    ),
    AppSpec(
        "nat_mk",
        "nov_pocetok",
        "Standard procedures for smuggled migrants: a proposal from Štip",
        "Local institutions and CSOs in eastern North Macedonia draft procedures together.",
        "policy",
        (15000, 1800),
        steps=(SUBMIT,),
        reach=40,
        focus=3,
    ),
    AppSpec(
        "nat_mk",
        "iob_ohrid",
        "Lake region youth against smuggling",
        "A youth campaign in the Ohrid and Struga area.",
        "awareness",
        (6000, 700),
        complete=False,  # never submitted: the call closed and the draft is kept
    ),
    # Community services, open: a clarification for the second applicant persona.
    AppSpec(
        "svc_open",
        "most_bihac",
        "Cultural mediators for the centre for social work in Bihać",
        "Six trained mediators help the centre for social work in Bihać serve people on the move.",
        "services",
        (18000, 1000),
        steps=(
            SUBMIT,
            (
                "clarify",
                "Your own contribution comes from the municipality of Bihać. Describe the "
                "commitment: amount, date, and whether it is in cash or in kind.",
                10,
            ),
        ),
        partners=(("patokaz", "Trains the mediators, drawing on its work in transit centres"),),
        by="applicant2",
        reach=350,
    ),
    AppSpec(
        "svc_open",
        "ok_bar",
        "A drop-in point for young migrants in Bar",
        "A weekly drop-in point with counselling and referral for young people on the move.",
        "services",
        (7000, 400),
        complete=False,
        focus=3,
    ),
    # Community services, first round: screened, now in review.
    AppSpec(
        "svc_pilot",
        "pravni_kompas",
        "Legal counselling in the Podgorica reception centre",
        "A lawyer and an interpreter hold weekly counselling hours in the reception centre.",
        "services",
        (15000, 900),
        steps=(SUBMIT, ELIGIBLE),
        reach=220,
        focus=1,
        # Totals 77.5 and 44: more than 30 % apart, so it waits in moderation.
        reviews=(("reviewer", (8, 8, 7)), ("reviewer2", (5, 4, 4))),
    ),
    AppSpec(
        "svc_pilot",
        "horizonte",
        "Interpreters on call for Shkodër's institutions",
        "A pool of interpreters available to the police, health centre and social services.",
        "services",
        (12000, 700),
        steps=(SUBMIT, ELIGIBLE),
        reach=500,
        reviews=(("expert_me", (8, 7, 7)), ("reviewer", (7, 7, 8))),
    ),
    AppSpec(
        "svc_pilot",
        "zzz_tuzla",
        "A conference on services for migrant women",
        "Institutions and CSOs meet to discuss services for migrant women.",
        "services",
        (9000, 600),
        steps=(
            SUBMIT,
            (
                "ineligible",
                "The proposal funds a one-off conference; this round funds services that run "
                "for at least six months.",
            ),
        ),
        reach=80,
        focus=2,
    ),
    AppSpec(
        "svc_pilot",
        "cppz_nis",
        "Referral and case management for people on the move in Niš",
        "A case manager follows each person from first contact to the service they need.",
        "services",
        (14000, 800),
        steps=(SUBMIT, ELIGIBLE),
        reach=260,
        focus=3,
        # The replacement for this conflict is the reviewer persona, who has not declared yet.
        conflict=(
            "reviewer2",
            "I co-wrote a report with this organisation's director six months ago.",
        ),
        reviews=(("expert_me", (6, 7, 6)),),
    ),
    AppSpec(
        "svc_pilot",
        "patokaz",
        "Psychosocial support in the northern transit centre",
        "A psychologist and a mediator offer weekly counselling in the transit centre.",
        "services",
        (16000, 900),
        steps=(SUBMIT, ELIGIBLE),
        reach=300,
        focus=2,
        reviews=(("reviewer", (9, 8, 7)), ("reviewer2", (8, 8, 6))),
    ),
    AppSpec(
        "svc_pilot",
        "kompasi",
        "Counselling for returnees in Tirana",
        "Returnees under readmission agreements get counselling and referral in their first month.",
        "services",
        (10000, 600),
        steps=(SUBMIT, ELIGIBLE),
        reach=150,
        focus=1,
        # The reviewer persona has scored two criteria of three: the review is saved, not sent.
        reviews=(("expert_me", (6, 5, 6)), ("reviewer", (7, 6, None))),
    ),
    AppSpec(
        "svc_pilot",
        "mf_kumanovo",
        "Youth mentors for unaccompanied children in Kumanovo",
        "Trained young mentors accompany unaccompanied children to school and services.",
        "services",
        (8000, 500),
        steps=(SUBMIT, ELIGIBLE),
        reach=40,
        focus=2,
        reviews=(("reviewer2", (6, 6, 7)), ("expert_me", (7, 5, 6))),
    ),
    # Montenegro: reviewed; the award list (two awards, one reserve, one rejection) is proposed.
    AppSpec(
        "nat_me",
        "pravni_kompas",
        "Monitoring reception on the Montenegrin coast",
        "Monthly monitoring of how people arriving on the coast are received and informed.",
        "monitoring",
        (14000, 1600),
        steps=(SUBMIT, ELIGIBLE),
        reach=250,
        focus=1,
        reviews=(("reviewer", (4.5, 4.5, 4, 4, 4)), ("reviewer2", (4, 4.5, 4.5, 3.5, 4))),
    ),
    AppSpec(
        "nat_me",
        "cgs_niksic",
        "Legal aid for people stopped at the northern border",
        "A lawyer on call for people stopped near the border with Serbia and Bosnia.",
        "legal_aid",
        (12000, 1400),
        steps=(SUBMIT, ELIGIBLE),
        reach=110,
        focus=2,
        reviews=(("reviewer", (4, 3.5, 4, 4, 3.5)), ("reviewer2", (4, 4, 3.5, 3.5, 3))),
    ),
    AppSpec(
        "nat_me",
        "ok_bar",
        "Peer sessions on smuggling in Bar's secondary schools",
        "Young volunteers run sessions on the risks of smuggling in the schools of Bar.",
        "awareness",
        (7000, 800),
        steps=(SUBMIT, ELIGIBLE),
        reach=450,
        reviews=(("reviewer", (3.5, 3, 3.5, 3.5, 3)), ("reviewer2", (4, 3, 3, 3, 3))),
    ),
    AppSpec(
        "nat_me",
        "nvo_sjever",
        "Round tables on smuggling in the north of Montenegro",
        "Institutions and CSOs in Bijelo Polje and Pljevlja meet four times a year.",
        "policy",
        (6000, 700),
        steps=(SUBMIT, ELIGIBLE),
        reach=60,
        focus=3,
        reviews=(("reviewer", (3, 2.5, 2.5, 2.5, 2)), ("reviewer2", (2.5, 2, 3, 2, 2.5))),
    ),
    # Local initiatives, decided: four awards (one amount lowered, one after moderation),
    # one on the reserve list, one rejected below the methodology threshold.
    AppSpec(
        "local",
        "sigurna_luka",
        "Safe Crossings pilot: peer sessions in two Subotica schools",
        "Students in two Subotica schools learn to recognise smugglers' offers.",
        "awareness",
        (8000, 1000),
        steps=(SUBMIT, ELIGIBLE),
        by="applicant",
        reach=300,
        reviews=(("reviewer", (4.5, 4, 4.5, 4, 4)), ("reviewer2", (5, 4, 4, 4.5, 3.5))),
    ),
    AppSpec(
        "local",
        "zzz_tuzla",
        "An information corner for migrant women in Tuzla",
        "A weekly information corner where women on the move learn their rights and options.",
        "monitoring",
        (10000, 1200),
        steps=(SUBMIT, ELIGIBLE),
        reach=180,
        focus=2,
        reviews=(("reviewer", (4, 4, 4, 3.5, 3.5)), ("reviewer2", (4.5, 3.5, 4, 3, 4))),
        lower_to=(
            9000,
            "Field visits can share transport with the canton's monitoring team: travel is "
            "reduced accordingly.",
        ),
    ),
    AppSpec(
        "local",
        "ok_bar",
        "Street outreach for young people on the move in Bar",
        "Youth workers meet young people on the move in the port area and refer them to help.",
        "awareness",
        (9500, 1100),
        steps=(SUBMIT, ELIGIBLE),
        reach=200,
        # 83 against 49: moderated, then a consensus of 70.
        reviews=(("reviewer", (4.5, 4, 4, 4, 4)), ("reviewer2", (2.5, 2.5, 2.5, 2.5, 2))),
        consensus=(
            (
                4,
                "The municipality confirmed the need in writing; the lower score read the "
                "target group too narrowly.",
            ),
            (3, "A young club with one earlier project: capable, with the partner's backing."),
            (3.5, "The outreach schedule is realistic once the second youth worker is hired."),
            (3.5, "Unit costs are in line with similar projects in the region."),
            (3, ""),
        ),
    ),
    AppSpec(
        "local",
        "rrm_mitrovice",
        "Youth radio against smuggling in Mitrovicë",
        "A weekly programme made by young people on the local radio, in Albanian and Serbian.",
        "awareness",
        (7000, 800),
        steps=(SUBMIT, ELIGIBLE),
        reach=2000,
        reviews=(("reviewer", (3.5, 3.5, 3.5, 3, 3)), ("reviewer2", (3.5, 3, 3.5, 3.5, 3))),
    ),
    AppSpec(
        "local",
        "iob_ohrid",
        "Lake region youth: pilot sessions in Struga",
        "Six pilot sessions on smuggling risks with the youth centre in Struga.",
        "awareness",
        (6000, 700),
        steps=(SUBMIT, ELIGIBLE),
        reach=120,
        reviews=(("reviewer", (3.5, 3, 3, 3, 2.5)), ("reviewer2", (3, 3, 3.5, 2.5, 3))),
    ),
    AppSpec(
        "local",
        "kompasi",
        "Mapping referral gaps in Tirana",
        "A map of which institution refers smuggled migrants where, and where the chain breaks.",
        "policy",
        (9000, 1100),
        steps=(SUBMIT, ELIGIBLE),
        reach=50,
        focus=3,
        reviews=(("reviewer", (3, 3, 2.5, 3, 2)), ("reviewer2", (3.5, 2.5, 2.5, 2.5, 2))),
    ),
]

# (category, description, share of the requested amount %, share of the own contribution %)
BUDGET_SHARES = [
    ("staff", "Project coordinator and field staff (part-time)", 40, 60),
    ("activities", "Workshops, sessions and meetings", 30, 40),
    ("travel", "Field visits and local travel", 12, 0),
    ("communication", "Publications, video and social media", 10, 0),
    ("indirect", "Office and administration (flat rate)", 8, 0),
]


def _split(total: int, shares: list[int]) -> list[int]:
    """Whole euros by percentage; the last line with a share takes the remainder."""
    parts = [total * share // 100 for share in shares]
    last = max(i for i, share in enumerate(shares) if share)
    parts[last] += total - sum(parts)
    return parts


def _budget_lines(requested: int, own: int) -> list[dict]:
    asked = _split(requested, [s[2] for s in BUDGET_SHARES])
    contributed = _split(own, [s[3] for s in BUDGET_SHARES])
    return [
        {
            "category": category,
            "description": description,
            "amount_requested": Decimal(a),
            "own_contribution": Decimal(c),
        }
        for (category, description, _r, _o), a, c in zip(
            BUDGET_SHARES, asked, contributed, strict=True
        )
    ]


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


# Review comments -------------------------------------------------------------------------

# By how the score compares with the criterion's maximum; two wordings so that two reviewers
# do not write the same sentence.
SCORE_COMMENTS = {
    "high": (
        "{c}: convincing and specific; the proposal shows it rather than asserting it.",
        "{c}: a clear strength, backed by the organisation's earlier work.",
    ),
    "good": (
        "{c}: good overall, though some points are stated rather than shown.",
        "{c}: sound; one or two concrete figures would make it stronger.",
    ),
    "fair": (
        "{c}: adequate but thin; key details are left for later.",
        "{c}: partly argued; the risks are not addressed.",
    ),
    "weak": (
        "{c}: not demonstrated; the proposal does not say how this would work in practice.",
        "{c}: weak; the answers are generic and could describe any project.",
    ),
}
OVERALL_COMMENTS = {
    "fund": "A well-prepared proposal that fits the call; fund as proposed.",
    "fund_with_changes": "Worth funding; tighten the timeline and the budget before contracting.",
    "reserve": "Useful, but weaker than the best proposals: a candidate for the reserve list.",
    "reject": "Does not meet the call's thresholds in its current form.",
}


def _score_comment(criterion: Criterion, score: Decimal, variant: int) -> str:
    share = score / criterion.max_score
    level = (
        "high" if share >= 0.8 else "good" if share >= 0.6 else "fair" if share >= 0.45 else "weak"
    )
    return SCORE_COMMENTS[level][variant % 2].format(c=criterion.title)


def _recommendation(criteria: list[Criterion], scores: list[Decimal]) -> str:
    """From the review's own weighted total (0–100), as a reviewer would roughly judge it."""
    weights = sum(c.weight for c in criteria)
    total = sum(c.weight * s / c.max_score for c, s in zip(criteria, scores, strict=True))
    total = total * 100 / weights
    if total >= 75:
        return "fund"
    if total >= 60:
        return "fund_with_changes"
    return "reserve" if total >= 50 else "reject"


# After the award -------------------------------------------------------------------------

# The Safe Routes programme's result indicators: (code, name, unit, target).
INDICATORS = [
    ("SR1", "CSO representatives trained", "people", 50),
    ("SR2", "Monitoring sessions held", "sessions", 15),
    ("SR3", "Policy papers published", "papers", 2),
]

# InforEuro-like monthly rates (units for one EUR), oldest of the last six months first.
RATES = {
    "RSD": ["117.0950", "117.1180", "117.1420", "117.1630", "117.1890", "117.2040"],
    "BAM": ["1.955830"] * 6,  # pegged to the euro
    "MKD": ["61.4870", "61.5020", "61.5210", "61.4950", "61.5080", "61.5170"],
    "ALL": ["98.1200", "97.8600", "97.5400", "97.6900", "97.3100", "97.0800"],
}


class AfterAward(NamedTuple):
    """How far a sub-grant of the decided call goes after its award."""

    org: str
    plan: str  # "open", "submitted", "changes_requested" or "approved" (the interim report)
    activate: bool = True
    pay_first: bool = True  # the first tranche approved and paid, or left due for the approver
    currency: str = "EUR"  # of the interim report
    indicators: tuple = (0, 0, 0)  # values for INDICATORS, in order


AFTER_AWARD = [
    # The applicant persona's grant: signed, first tranche paid, interim report to write.
    AfterAward("sigurna_luka", "open", activate=False),
    # Written in convertible marks, waiting for the manager.
    AfterAward("zzz_tuzla", "submitted", currency="BAM", indicators=(14, 3, 0)),
    # Sent back with a comment on the financial statement; its first tranche waits for the
    # approver (due, not approved yet).
    AfterAward("ok_bar", "changes_requested", pay_first=False, indicators=(9, 2, 0)),
    # Approved: the second tranche paid, a no-cost extension, a monitoring visit.
    AfterAward("rrm_mitrovice", "approved", indicators=(21, 5, 1)),
]

NARRATIVE = [
    "We held {a} peer sessions with young people and trained volunteers from two youth "
    "centres; a local radio station broadcast two of the sessions.",
    "The school year ended earlier than planned, so two sessions moved to the summer camp; "
    "the police liaison officer joined only one meeting.",
    "A second round of sessions in the autumn, and a short guide for teachers.",
]


# The command -----------------------------------------------------------------------------


class Command(BaseCommand):
    help = "Load the demo data and logins (idempotent). Refuses when DEBUG is off, unless --force."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. The demo logins share a printed password: never in production.",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates logins that share a published password, so it runs only with "
                "DEBUG on. Use --force if this really is a throw-away installation."
            )
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
        if created_calls or driven:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo loaded: {len(created_calls)} calls with their applications, "
                    f"{driven} grants after the award."
                )
            )
        else:
            self.stdout.write("Demo already loaded: nothing to do.")

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
        for order, question in enumerate(_questions(**spec.questions), start=1):
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
        recommendation = _recommendation(criteria, values) if complete else None
        review_save(
            assignment=assignment,
            actor=reviewer,
            scores={
                c.pk: {"score": value, "comment": _score_comment(c, value, variant + c.order)}
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
            budget_lines=_budget_lines(*spec.budget),
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
