"""Personas (see DESIGN.md): each test can ask for who it needs, and for the outsider.

- applicant_a / colleague_a: members of org_a;  applicant_b: member of org_b
- manager: programme manager of `programme`;   other_manager: manager of `other_programme`
- approver, observer: approver and donor observer of `programme`
- reviewer: reviewer on `call`
- `client` is anonymous; `client_for(user)` logs someone in; `api_for(user)` is a token client;
  `browser_for(user)` is a client of its own, for two people working at once.
- `draft` is org_a's complete draft to `call`; `submitted` is that draft, submitted.
- `pdf(name, content)` makes an upload of a real one-page PDF.
"""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from applications.services.applications import application_submit
from grants.models import CallQuestion, ProgrammeRole
from tests import factories as f
from tests.samples import PDF

# Playwright drives the browser from a thread with an event loop; the ORM calls it makes
# (fixtures, assertions) are synchronous on purpose.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def org_a(db):
    return f.OrganisationFactory(
        legal_name="Youth Initiative Novi Sad", short_name="YINS", country="RS"
    )


@pytest.fixture
def org_b(db):
    return f.OrganisationFactory(legal_name="Women's Network Tuzla", short_name="WNT", country="BA")


@pytest.fixture
def lead_org(db):
    return f.OrganisationFactory(legal_name="Balkan Civic Network", short_name="BCN", country="RS")


@pytest.fixture
def applicant_a(org_a):
    return f.MembershipFactory(organisation=org_a, user__email="ana@yins.example").user


@pytest.fixture
def colleague_a(org_a):
    return f.MembershipFactory(
        organisation=org_a, role="member", user__email="marko@yins.example"
    ).user


@pytest.fixture
def applicant_b(org_b):
    return f.MembershipFactory(organisation=org_b, user__email="lejla@wnt.example").user


@pytest.fixture
def programme(lead_org):
    return f.ProgrammeFactory(owner=lead_org, title="Western Balkans Civic Fund")


@pytest.fixture
def other_programme(db):
    return f.ProgrammeFactory(title="Another network's fund")


@pytest.fixture
def manager(programme):
    return f.ProgrammeRoleFactory(programme=programme, user__email="pm@bcn.example").user


@pytest.fixture
def approver(programme):
    return f.ProgrammeRoleFactory(
        programme=programme, role=ProgrammeRole.Role.APPROVER, user__email="approver@bcn.example"
    ).user


@pytest.fixture
def observer(programme):
    return f.ProgrammeRoleFactory(
        programme=programme, role=ProgrammeRole.Role.OBSERVER, user__email="donor@eu.example"
    ).user


@pytest.fixture
def other_manager(other_programme):
    return f.ProgrammeRoleFactory(programme=other_programme, user__email="pm@other.example").user


@pytest.fixture
def call(programme):
    call = f.CallFactory(programme=programme, title="Local initiatives call 2027")
    f.CallQuestionFactory(call=call, label="Project summary", max_length=500, order=1)
    f.CallQuestionFactory(
        call=call, label="Number of participants", kind=CallQuestion.Kind.NUMBER, order=2
    )
    f.CallQuestionFactory(
        call=call,
        label="Statute of the organisation",
        kind=CallQuestion.Kind.FILE,
        required=False,
        order=3,
    )
    f.CriterionFactory(call=call, title="Relevance", weight=3, order=1)
    f.CriterionFactory(call=call, title="Feasibility", weight=2, order=2)
    return call


@pytest.fixture
def reviewer(call):
    return f.CallReviewerFactory(call=call, user__email="expert@reviewers.example").user


@pytest.fixture
def draft(call, org_a, applicant_a):
    """A complete draft of org_a to `call`: it passes every rule."""
    return f.complete_application(call=call, organisation=org_a, created_by=applicant_a)


@pytest.fixture
def submitted(draft, applicant_a):
    """org_a's complete draft, submitted."""
    return application_submit(application=draft, actor=applicant_a)


@pytest.fixture
def pdf():
    def make(name: str = "statute.pdf", content: bytes = PDF) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, content, content_type="application/pdf")

    return make


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_for(db):
    def make(user=None):
        api = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api

    return make


@pytest.fixture
def browser_for():
    """A separate client per person, for two people working at once."""

    def make(user=None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


# Browser tests: Debian's Chromium, never a downloaded browser. ------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def login_page(live_server, page):
    """Log `user` in through the real login form; returns the page."""

    def login(user, password=f.PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("E-mail").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        return page

    return login


def pytest_collection_modifyitems(config, items):
    """Without Debian's Chromium, browser tests are skipped and say why — except on CI
    (CI=true), where a missing browser must fail the run rather than pass it quietly."""
    if os.path.exists(CHROMIUM) or os.environ.get("CI") == "true":
        return
    skip = pytest.mark.skip(
        reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set "
        "CHROMIUM_PATH); with CI=true this is a failure instead"
    )
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)
