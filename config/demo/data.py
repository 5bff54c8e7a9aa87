"""The demo's data: personas, organisations in the six countries, donors, the parent grants,
programmes, calls with their questions and criteria, applications with their answers, budgets,
reviews and what happens after the award. Everything is fictional (see config.demo.builder)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from grants.models import (
    Call,
    CallQuestion,
    Criterion,
    Membership,
    OrganisationType,
)

BELGRADE = ZoneInfo("Europe/Belgrade")


DOMAIN = "demo.regrant.local"


DEFAULT_PASSWORD = "regrant-demo"


def demo_password() -> str:
    """The one password of every demo login: DEMO_PASSWORD (environment or .env), or the default."""
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD


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


def call_questions(*, regional: bool = False, services: bool = False) -> list[dict]:
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
    questions: dict = field(default_factory=dict)  # keyword arguments of call_questions()
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


def budget_lines_of(requested: int, own: int) -> list[dict]:
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


def score_comment(criterion: Criterion, score: Decimal, variant: int) -> str:
    share = score / criterion.max_score
    level = (
        "high" if share >= 0.8 else "good" if share >= 0.6 else "fair" if share >= 0.45 else "weak"
    )
    return SCORE_COMMENTS[level][variant % 2].format(c=criterion.title)


def recommendation_for(criteria: list[Criterion], scores: list[Decimal]) -> str:
    """From the review's own weighted total (0–100), as a reviewer would roughly judge it."""
    weights = sum(c.weight for c in criteria)
    total = sum(c.weight * s / c.max_score for c, s in zip(criteria, scores, strict=True))
    total = total * 100 / weights
    if total >= 75:
        return "fund"
    if total >= 60:
        return "fund_with_changes"
    return "reserve" if total >= 50 else "reject"


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
