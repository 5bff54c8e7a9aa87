"""The applicant's pages: public calls, the dashboard, the application editor (htmx autosave),
submission and its receipt, and the read-only application with its history.

Every view starts with a selector (applications.selectors) that fetches the object for this user
and 404s otherwise; the writing is done by applications.services / grants.services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applications.forms.applications import (
    BUDGET_CATEGORIES,
    ApplyForm,
    ClarificationAnswerForm,
    Draft,
    PartnerExistingForm,
    PartnerNewForm,
    WithdrawForm,
    draft_from_application,
    draft_from_post,
)
from applications.models import Application, Attachment, Partner, budget_totals
from applications.rules import Check, eligibility_checks
from applications.selectors.applications import (
    application_for_viewer,
    application_history,
    application_with_content_for_member,
    applications_of_member,
    applications_visible_to,
    call_for_applicant,
    with_budget_totals,
)
from applications.services import applications as applications_services
from applications.services.applications import application_create, application_update
from applications.services.screening import application_answer_clarification
from grants.countries import COUNTRIES
from grants.forms.common import posted_version
from grants.forms.organisations import OrganisationForm
from grants.models import (
    Call,
    CallQuestion,
    Membership,
    MembershipInvitation,
    Organisation,
    OrganisationType,
)
from grants.policies import roles_of
from grants.selectors.calls import calls_public
from grants.selectors.organisations import organisations_of
from grants.selectors.programmes import staffed_programme_ids
from grants.templatetags.money import in_zone
from grants.uploads import ALLOWED, ALLOWED_DESCRIPTION
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.refusals import add_rule_errors, refusal_as_message, refusal_on_form

RECENTLY_CLOSED = dt.timedelta(days=90)
PARTNER_SEARCH_LIMIT = 20
# Comments on these transitions are written for the applicant; others may be internal notes.
APPLICANT_VISIBLE_COMMENTS = {
    "submit",
    "withdraw",
    "request_clarification",
    "resubmit",
    "mark_eligible",
    "mark_ineligible",
}


# Small helpers ------------------------------------------------------------------------------


def _user_zone(user) -> ZoneInfo:
    try:
        return ZoneInfo(getattr(user, "timezone", "") or "Europe/Belgrade")
    except (ValueError, KeyError):
        return ZoneInfo("Europe/Belgrade")


def _clock(request: HttpRequest, moment: dt.datetime) -> str:
    local = timezone.localtime(moment, _user_zone(request.user))
    return f"{local:%H:%M:%S} {local.tzname()}"


def _amount(value: str) -> Decimal:
    try:
        amount = Decimal(value or "0")
    except InvalidOperation:
        return Decimal("0")
    return amount if amount.is_finite() and amount >= 0 else Decimal("0")


@dataclass
class _Line:
    amount_requested: Decimal
    own_contribution: Decimal


def _draft_totals(draft: Draft) -> dict[str, Decimal]:
    """Totals of what the editor shows (the browser recomputes them as you type)."""
    return budget_totals(
        [_Line(_amount(row.amount_requested), _amount(row.own_contribution)) for row in draft.rows]
    )


def _public_state(state: str) -> str:
    return str(Application.PUBLIC_STATUS.get(state, state))


# Public calls -------------------------------------------------------------------------------


@require_GET
def call_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    # One query: open calls and those that closed in the last months; split in Python.
    calls = (
        calls_public()
        .filter(Q(state=Call.State.OPEN) | Q(closes_at__gte=now - RECENTLY_CLOSED))
        .order_by("closes_at", "title")
    )
    open_calls, upcoming, closed = [], [], []
    for call in calls:
        if call.accepts_submissions_at(now):
            open_calls.append(call)
        elif call.state == Call.State.OPEN and call.opens_at > now:
            upcoming.append(call)
        else:
            closed.append(call)
    closed.reverse()
    return render(
        request,
        "calls/call_list.html",
        {"open_calls": open_calls, "upcoming": upcoming, "closed": closed},
    )


@require_GET
def call_detail(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_for_applicant(request.user, call_id)
    country_names = dict(COUNTRIES)
    type_names = dict(OrganisationType.choices)
    organisations = list(organisations_of(request.user)) if request.user.is_authenticated else []
    return render(
        request,
        "calls/call_detail.html",
        {
            "call": call,
            "questions": call.questions.all(),
            "criteria": call.criteria.all(),
            "countries": [country_names.get(c, c) for c in call.eligible_countries],
            "org_types": [type_names.get(t, t) for t in call.eligible_org_types],
            "organisations": organisations,
            "ineligible": [
                org
                for org in organisations
                if (call.eligible_countries and org.country not in call.eligible_countries)
                or (call.eligible_org_types and org.org_type not in call.eligible_org_types)
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def call_apply(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_for_applicant(request.user, call_id)
    organisations = organisations_of(request.user).order_by("legal_name")
    if not organisations.exists():
        messages.info(request, _("Create your organisation's profile first; then apply."))
        query = urlencode({"next": request.path})
        return redirect(f"{reverse('organisation-create')}?{query}")
    drafts = (
        applications_visible_to(request.user)
        .filter(call=call, organisation__in=organisations)
        .order_by("-updated_at")
    )
    form = ApplyForm(
        request.POST or None,
        organisations=organisations,
        initial={"organisation": organisations[0]},
    )
    if request.method == "POST" and form.is_valid():
        with refusal_as_message(request, TransitionConflict, NotPermitted):
            application = application_create(
                call=call,
                organisation=form.cleaned_data["organisation"],
                actor=request.user,
                title=form.cleaned_data["title"],
            )
            messages.success(request, _("Draft created. It saves as you type."))
            return redirect("application-edit", application.pk)
    return render(
        request,
        "calls/call_apply.html",
        {"call": call, "form": form, "drafts": drafts, "single": organisations.count() == 1},
        status=400 if form.errors else 200,
    )


# Dashboard ----------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("organisation")
        .order_by("organisation__legal_name")
    )
    applications = with_budget_totals(applications_of_member(request.user)).order_by("-updated_at")
    # Organisations that asked this person to join: they answer here (one query).
    invitations = (
        MembershipInvitation.objects.filter(user=request.user, answered_at__isnull=True)
        .select_related("organisation", "invited_by")
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "applications/dashboard.html",
        {
            "invitations": invitations,
            "memberships": memberships,
            "applications": applications,
            "is_programme_staff": bool(staffed_programme_ids(request.user)),
            "organisation_form": OrganisationForm() if not roles.organisation_ids else None,
            "open_calls": calls_public().filter(state=Call.State.OPEN).count(),
        },
    )


# The editor ---------------------------------------------------------------------------------


def _question_fields(application: Application, draft: Draft) -> list[dict]:
    files: dict[int, list[Attachment]] = {}
    for attachment in application.attachments.all():
        if attachment.question_id:
            files.setdefault(attachment.question_id, []).append(attachment)
    fields = []
    for question in application.call.questions.all():
        field_id = f"q-{question.pk}"
        errors = draft.errors.get(f"answers.{question.pk}", [])
        counter = bool(question.max_length) and question.kind in (
            CallQuestion.Kind.TEXT,
            CallQuestion.Kind.LONG_TEXT,
        )
        described = [
            f"{field_id}-help" if question.help_text else "",
            f"{field_id}-count" if counter else "",
            f"{field_id}-error" if errors else "",
        ]
        fields.append(
            {
                "question": question,
                "id": field_id,
                "value": draft.answers.get(question.pk, ""),
                "errors": errors,
                "counter": counter,
                "describedby": " ".join(d for d in described if d),
                "is_file": question.kind == CallQuestion.Kind.FILE,
                "attachments": files.get(question.pk, []),
            }
        )
    return fields


def _checklist(application: Application) -> dict:
    """What still blocks submission: the call's rules (applications.rules) and the title."""
    title_ok = bool(application.title.strip())
    checks = [
        Check(
            "title",
            _("Project title"),
            title_ok,
            application.title if title_ok else _("Give the project a title."),
        ),
        *eligibility_checks(application),
    ]
    return {"checks": checks, "blocking": sum(1 for check in checks if not check.passed)}


def _conflict_info(application_id: int) -> dict:
    """Who saved the newer version, and when — read now, not from the stale page."""
    latest = Application.objects.select_related("updated_by", "call").get(pk=application_id)
    return {
        "application_id": application_id,
        "who": latest.updated_by.display_name if latest.updated_by else _("Someone"),
        "when": in_zone(latest.updated_at, latest.call.timezone),
    }


def _upload_slots(application: Application, errors: dict[str, list[str]]) -> list[dict]:
    slots = [
        {
            "key": str(question.pk),
            "question": question,
            "label": question.label,
            "errors": errors.get(str(question.pk), []),
        }
        for question in application.call.questions.all()
        if question.kind == CallQuestion.Kind.FILE
    ]
    slots.append(
        {
            "key": "general",
            "question": None,
            "label": _("Other document"),
            "errors": errors.get("general", []),
        }
    )
    return slots


def _edit_context(
    request: HttpRequest,
    application: Application,
    *,
    draft: Draft | None = None,
    version: int | None = None,
    upload_errors: dict[str, list[str]] | None = None,
    conflict: TransitionConflict | None = None,
    **extra,
) -> dict:
    draft = draft or draft_from_application(application)
    call = application.call
    totals = _draft_totals(draft)
    context = {
        "application": application,
        "call": call,
        "currency": call.programme.currency,
        "draft": draft,
        "version": application.version if version is None else version,
        "questions": _question_fields(application, draft),
        "categories": BUDGET_CATEGORIES,
        "totals": totals,
        "amount_ok": call.min_grant <= totals["requested"] <= call.max_grant,
        "cofinancing_ok": totals["total"] > 0
        and totals["own"] * 100 >= call.min_cofinancing_percent * totals["total"],
        **_checklist(application),
        "partners": application.partners.all(),
        "existing_form": PartnerExistingForm(prefix="existing"),
        "new_form": PartnerNewForm(prefix="new"),
        "partner_results": None,
        "partner_query": "",
        "attachments": application.attachments.all(),
        "upload_slots": _upload_slots(application, upload_errors or {}),
        "accept": ",".join(sorted({ext for exts in ALLOWED.values() for ext in exts})),
        "accepted_types": ALLOWED_DESCRIPTION,
        "max_bytes": settings.ATTACHMENT_MAX_BYTES,
        "accepting": call.is_accepting,
        "updated_at_display": in_zone(application.updated_at, call.timezone),
        "conflict": _conflict_info(application.pk) if conflict is not None else None,
        "submit_problems": None,
        "submit_error": None,
    }
    context.update(extra)
    return context


def _render_edit(
    request: HttpRequest, application: Application, *, status: int = 200, **kwargs
) -> HttpResponse:
    # Always re-read: the page shows what the database holds now, not a pre-service snapshot.
    application = application_with_content_for_member(request.user, application.pk)
    context = _edit_context(request, application, **kwargs)
    query = request.GET.get("partner_q", "").strip()
    if query and context["partner_results"] is None:
        context["partner_query"] = query
        context["partner_results"] = _partner_candidates(application, query)
    return render(request, "applications/edit.html", context, status=status)


@dataclass
class _SaveResult:
    draft: Draft
    saved: Application | None = None
    conflict: TransitionConflict | None = None


def _save_draft(request: HttpRequest, application: Application, version: int) -> _SaveResult:
    """Save what the editor posted. A budget row that does not parse must not cost the user
    the rest: then the other fields are saved, and the row's problem is reported."""
    draft = draft_from_post(request.POST)
    kwargs = draft.update_kwargs()
    for attempt in ("all", "without budget"):
        try:
            saved = application_update(
                application=application, actor=request.user, version=version, **kwargs
            )
        except TransitionConflict as exc:
            return _SaveResult(draft, conflict=exc)
        except RuleViolation as exc:
            draft.add_errors(exc.errors)
            only_budget = all(key.startswith("budget_lines[") for key in exc.errors)
            if attempt == "all" and only_budget and "budget_lines" in kwargs:
                kwargs.pop("budget_lines")
                continue
            return _SaveResult(draft)
        return _SaveResult(draft, saved=saved)
    return _SaveResult(draft)  # pragma: no cover - the loop always returns


@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, application_id: int) -> HttpResponse:
    application = application_with_content_for_member(request.user, application_id)
    if not application.is_editable:
        return redirect("application-detail", application.pk)
    if request.method == "GET":
        return _render_edit(request, application)
    return _save_and_answer(request, application)


@require_POST
def application_autosave(request: HttpRequest, application_id: int) -> HttpResponse:
    application = application_with_content_for_member(request.user, application_id)
    if not request.htmx:
        return _save_and_answer(request, application)
    version = posted_version(request.POST)
    if version is None:
        return HttpResponseBadRequest(_("Reload the page: the form is missing its version."))
    if not application.is_editable:
        return _status_response(
            request,
            state="error",
            messages_=[_("This application was submitted; it can no longer be edited.")],
            status=409,
        )
    result = _save_draft(request, application, version)
    if result.conflict is not None:
        if result.conflict.code != "stale_version":
            return _status_response(
                request, state="error", messages_=[result.conflict.detail], status=409
            )
        return _status_response(
            request, state="conflict", conflict=_conflict_info(application.pk), status=409
        )
    problems = result.draft.messages_for_status()
    if result.saved is None:
        return _status_response(request, state="error", messages_=problems, status=400)
    fresh = application_with_content_for_member(request.user, application.pk)
    return _status_response(
        request,
        state="partial" if problems else "saved",
        messages_=problems,
        saved_at=_clock(request, fresh.updated_at),
        application=fresh,
        version=fresh.version,
    )


def _status_response(
    request: HttpRequest,
    *,
    state: str,
    messages_: list[str] | None = None,
    conflict: dict | None = None,
    saved_at: str = "",
    application: Application | None = None,
    version: int | None = None,
    status: int = 200,
) -> HttpResponse:
    """The save-status region, plus (after a save) the new version and checklist out of band.
    htmx is configured in base.html to swap 400 and 409 answers too."""
    html = render_to_string(
        "applications/_save_status.html",
        {
            "state": state,
            "problems": messages_ or [],
            "conflict": conflict,
            "saved_at": saved_at,
            "application": application,
        },
        request=request,
    )
    if version is not None and application is not None:
        html += render_to_string(
            "applications/_oob_after_save.html",
            {"version": version, **_checklist(application), "application": application},
            request=request,
        )
    return HttpResponse(html, status=status)


def _save_and_answer(request: HttpRequest, application: Application) -> HttpResponse:
    """The editor without JavaScript: "Save draft" posts the whole form here."""
    version = posted_version(request.POST)
    if version is None:
        return HttpResponseBadRequest(_("Reload the page: the form is missing its version."))
    result = _save_draft(request, application, version)
    if result.conflict is not None:
        if result.conflict.code != "stale_version":
            messages.error(request, result.conflict.detail)
            return redirect("application-detail", application.pk)
        return _render_edit(
            request,
            application,
            draft=result.draft,
            version=version,
            conflict=result.conflict,
            status=409,
        )
    problems = result.draft.messages_for_status()
    if result.saved is None or problems:
        if result.saved is not None:
            messages.warning(request, _("Saved, except what is marked below."))
        return _render_edit(
            request,
            application,
            draft=result.draft,
            version=result.saved.version if result.saved else version,
            status=400,
        )
    messages.success(
        request, _("Draft saved at %(time)s.") % {"time": _clock(request, result.saved.updated_at)}
    )
    return redirect("application-edit", application.pk)


# Partners -----------------------------------------------------------------------------------


def _partner_candidates(application: Application, query: str):
    """Organisations an applicant may name as partner: found by name, never the applicant or
    an organisation that already is a partner. Only names and countries are shown."""
    if len(query) < 2:
        return []
    return (
        Organisation.objects.filter(Q(legal_name__icontains=query) | Q(short_name__icontains=query))
        .exclude(pk=application.organisation_id)
        .exclude(pk__in=application.partners.values("organisation_id"))
        .only("id", "legal_name", "short_name", "country")
        .order_by("legal_name")[:PARTNER_SEARCH_LIMIT]
    )


def _section_response(
    request: HttpRequest,
    application: Application,
    *,
    section: str,
    page_version: int | None,
    bumped: bool,
    status: int = 200,
    **extra,
) -> HttpResponse:
    """Re-render one section of the editor for htmx. The page's version moves on only if the
    change was made on top of it (page version + 1): if someone else saved in between, the
    page keeps its old version, so the next autosave reports their change instead of hiding it."""
    application = application_with_content_for_member(request.user, application.pk)
    context = _edit_context(request, application, **extra)
    html = render_to_string(f"applications/_{section}.html", context, request=request)
    if bumped and page_version is not None and application.version == page_version + 1:
        html += render_to_string(
            "applications/_oob_after_save.html",
            {
                "version": application.version,
                "checks": context["checks"],
                "blocking": context["blocking"],
            },
            request=request,
        )
    return HttpResponse(html, status=status)


@require_GET
def partner_search(request: HttpRequest, application_id: int) -> HttpResponse:
    application = application_with_content_for_member(request.user, application_id)
    if not request.htmx:
        query = urlencode({"partner_q": request.GET.get("q", "")})
        return redirect(f"{reverse('application-edit', args=[application.pk])}?{query}#partners")
    query = request.GET.get("q", "").strip()
    return render(
        request,
        "applications/_partner_results.html",
        {
            "application": application,
            "partner_query": query,
            "partner_results": _partner_candidates(application, query),
            "existing_form": PartnerExistingForm(prefix="existing"),
        },
    )


@require_POST
def partner_add(request: HttpRequest, application_id: int) -> HttpResponse:
    application = application_with_content_for_member(request.user, application_id)
    mode = "existing" if request.POST.get("mode") == "existing" else "new"
    existing_form = PartnerExistingForm(
        request.POST if mode == "existing" else None, prefix="existing"
    )
    new_form = PartnerNewForm(request.POST if mode == "new" else None, prefix="new")
    form = existing_form if mode == "existing" else new_form
    added = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            if mode == "existing":
                added = applications_services.partner_add(
                    application=application,
                    actor=request.user,
                    organisation=data["organisation"],
                    role=data["role"],
                )
            else:
                added = applications_services.partner_add(
                    application=application,
                    actor=request.user,
                    role=data["role"],
                    new_organisation={
                        "legal_name": data["legal_name"],
                        "country": data["country"],
                        "org_type": data["org_type"],
                    },
                )
        except RuleViolation as exc:
            add_rule_errors(form, exc.errors)
        except TransitionConflict as exc:
            form.add_error(None, exc.detail)
    if added is not None:
        message = _("%(org)s added as partner.") % {"org": added.organisation.legal_name}
        if not request.htmx:
            messages.success(request, message)
            return redirect(f"{reverse('application-edit', args=[application.pk])}#partners")
        return _section_response(
            request,
            application,
            section="partners",
            page_version=posted_version(request.POST),
            bumped=True,
            partner_message=message,
        )
    forms_ = {"existing_form": existing_form, "new_form": new_form}
    if mode == "existing":
        query = request.POST.get("q", "")
        forms_ |= {
            "partner_query": query,
            "partner_results": _partner_candidates(application, query.strip()),
        }
    if not request.htmx:
        return _render_edit(request, application, status=400, **forms_)
    return _section_response(
        request,
        application,
        section="partners",
        page_version=None,
        bumped=False,
        status=400,
        **forms_,
    )


@require_POST
def partner_remove(request: HttpRequest, application_id: int, partner_id: int) -> HttpResponse:
    application = application_with_content_for_member(request.user, application_id)
    try:
        partner = application.partners.get(pk=partner_id)
    except Partner.DoesNotExist:
        raise Http404 from None
    name = partner.organisation.legal_name
    error = None
    try:
        applications_services.partner_remove(partner=partner, actor=request.user)
    except TransitionConflict as exc:
        error = exc.detail
    message = error or _("%(org)s is no longer a partner.") % {"org": name}
    if not request.htmx:
        (messages.error if error else messages.success)(request, message)
        return redirect(f"{reverse('application-edit', args=[application.pk])}#partners")
    return _section_response(
        request,
        application,
        section="partners",
        page_version=posted_version(request.POST),
        bumped=error is None,
        status=409 if error else 200,
        partner_message=message,
    )


# Attachments --------------------------------------------------------------------------------


@require_POST
def attachment_add(request: HttpRequest, application_id: int) -> HttpResponse:
    application = application_with_content_for_member(request.user, application_id)
    question = None
    slot = "general"
    if request.POST.get("question"):
        question = next(
            (q for q in application.call.questions.all() if str(q.pk) == request.POST["question"]),
            None,
        )
        if question is None:
            raise Http404
        slot = str(question.pk)
    upload = request.FILES.get("file")
    errors: list[str] = []
    attachment = None
    if upload is None:
        errors = [_("Choose a file to upload.")]
    else:
        try:
            attachment = applications_services.attachment_add(
                application=application, actor=request.user, upload=upload, question=question
            )
        except RuleViolation as exc:
            errors = exc.messages
        except TransitionConflict as exc:
            errors = [exc.detail]
    if attachment is not None:
        message = _("“%(name)s” uploaded.") % {"name": attachment.original_name}
        if not request.htmx:
            messages.success(request, message)
            return redirect(f"{reverse('application-edit', args=[application.pk])}#attachments")
        return _section_response(
            request,
            application,
            section="attachments",
            page_version=posted_version(request.POST),
            bumped=True,
            attachment_message=message,
        )
    if not request.htmx:
        return _render_edit(request, application, status=400, upload_errors={slot: errors})
    return _section_response(
        request,
        application,
        section="attachments",
        page_version=None,
        bumped=False,
        status=400,
        upload_errors={slot: errors},
    )


@require_POST
def attachment_remove(
    request: HttpRequest, application_id: int, attachment_id: int
) -> HttpResponse:
    application = application_with_content_for_member(request.user, application_id)
    try:
        attachment = application.attachments.get(pk=attachment_id)
    except Attachment.DoesNotExist:
        raise Http404 from None
    name = attachment.original_name
    error = None
    try:
        applications_services.attachment_remove(attachment=attachment, actor=request.user)
    except TransitionConflict as exc:
        error = exc.detail
    message = error or _("“%(name)s” removed.") % {"name": name}
    if not request.htmx:
        (messages.error if error else messages.success)(request, message)
        return redirect(f"{reverse('application-edit', args=[application.pk])}#attachments")
    return _section_response(
        request,
        application,
        section="attachments",
        page_version=posted_version(request.POST),
        bumped=error is None,
        status=409 if error else 200,
        attachment_message=message,
    )


@require_GET
def attachment_download(
    request: HttpRequest, application_id: int, attachment_id: int
) -> HttpResponse:
    """Stream an attachment under its original name, after checking who asks. Files are
    stored under generated names and never served from a public URL."""
    application = application_for_viewer(request.user, application_id)
    try:
        attachment = Attachment.objects.get(application=application, pk=attachment_id)
        handle = attachment.file.open("rb")
    except (Attachment.DoesNotExist, FileNotFoundError):
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# Submission ---------------------------------------------------------------------------------


@require_POST
def application_submit(request: HttpRequest, application_id: int) -> HttpResponse:
    """Save what the form holds, then submit. A second click (or a second tab) finds the
    application submitted and lands on the receipt; a refusal keeps the draft and says why."""
    application = application_with_content_for_member(request.user, application_id)
    if not application.is_editable:
        return _already_submitted(request, application)
    version = posted_version(request.POST)
    if version is not None:
        result = _save_draft(request, application, version)
        if result.conflict is not None:
            if result.conflict.code == "not_editable":
                return _already_submitted(request, application)
            return _render_edit(
                request,
                application,
                draft=result.draft,
                version=version,
                conflict=result.conflict,
                submit_error=_("Not submitted: the application changed since you opened it."),
                status=409,
            )
        if result.saved is None or result.draft.messages_for_status():
            return _render_edit(
                request,
                application,
                draft=result.draft,
                version=result.saved.version if result.saved else version,
                submit_error=_("Not submitted: fix what is marked below first."),
                status=400,
            )
    try:
        application = applications_services.application_submit(
            application=application, actor=request.user
        )
    except RuleViolation as exc:
        return _render_edit(
            request,
            application,
            submit_error=exc.detail,
            submit_problems=exc.messages,
            status=400,
        )
    except TransitionConflict as exc:
        if exc.code == "already_submitted":
            return _already_submitted(request, application)
        return _render_edit(request, application, submit_error=exc.detail, status=409)
    messages.success(request, _("Your application was submitted."))
    return redirect("application-receipt", application.pk)


def _already_submitted(request: HttpRequest, application: Application) -> HttpResponse:
    application.refresh_from_db(fields=["state", "reference"])
    if application.state == Application.State.SUBMITTED and application.reference:
        messages.info(request, _("This application is already submitted."))
        return redirect("application-receipt", application.pk)
    return redirect("application-detail", application.pk)


@require_GET
def application_receipt(request: HttpRequest, application_id: int) -> HttpResponse:
    application = application_with_content_for_member(request.user, application_id)
    if application.is_editable or not application.reference:
        return redirect("application-edit", application.pk)
    return render(
        request,
        "applications/receipt.html",
        {
            "application": application,
            "call": application.call,
            "totals": budget_totals(application.budget_lines.all()),
        },
    )


# After submission ---------------------------------------------------------------------------


def _history(application: Application) -> list[dict]:
    """The TransitionLog as the applicant sees it: public state names, members by name and
    staff as "the programme team"; steps that do not change the public status are left out."""
    member_ids = set(application.organisation.memberships.values_list("user_id", flat=True))
    rows = []
    for log in application_history(application):
        before, after = _public_state(log.from_state), _public_state(log.to_state)
        if before == after:
            continue
        if log.actor_id is None:
            who = _("Regrant (automatic)")
        elif log.actor_id in member_ids:
            who = log.actor.display_name
        else:
            who = _("Programme team")
        rows.append(
            {
                "when": log.created_at,
                "who": who,
                "from": before,
                "to": after,
                "comment": log.comment if log.transition in APPLICANT_VISIBLE_COMMENTS else "",
            }
        )
    return rows


@require_GET
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    application = application_with_content_for_member(request.user, application_id)
    if application.is_editable:
        return redirect("application-edit", application.pk)
    return _render_detail(request, application)


def _render_detail(
    request: HttpRequest,
    application: Application,
    *,
    clarification_form: ClarificationAnswerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    application = application_with_content_for_member(request.user, application.pk)
    answers = {a.question_id: a.value for a in application.answers.all()}
    clarifications = list(application.clarifications.all())
    open_clarification = next((c for c in clarifications if c.answered_at is None), None)
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "call": application.call,
            "currency": application.call.programme.currency,
            "answers": [
                (question, answers.get(question.pk, ""))
                for question in application.call.questions.all()
                if question.kind != CallQuestion.Kind.FILE
            ],
            "lines": application.budget_lines.all(),
            "totals": budget_totals(application.budget_lines.all()),
            "clarifications": clarifications,
            "open_clarification": open_clarification
            if application.state == Application.State.CLARIFICATION_REQUESTED
            else None,
            "clarification_form": clarification_form or ClarificationAnswerForm(),
            "can_withdraw": application.state in Application.BEFORE_DECISION,
            "history": _history(application),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def application_withdraw(request: HttpRequest, application_id: int) -> HttpResponse:
    application = application_with_content_for_member(request.user, application_id)
    if application.state not in Application.BEFORE_DECISION:
        messages.error(request, _("This application can no longer be withdrawn."))
        return redirect("application-detail", application.pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_as_message(request, TransitionConflict, NotPermitted):
            applications_services.application_withdraw(
                application=application, actor=request.user, comment=form.cleaned_data["comment"]
            )
            messages.success(request, _("The application was withdrawn."))
        return redirect("application-detail", application.pk)
    return render(request, "applications/withdraw.html", {"application": application, "form": form})


@require_POST
def application_clarify(request: HttpRequest, application_id: int) -> HttpResponse:
    application = application_with_content_for_member(request.user, application_id)
    form = ClarificationAnswerForm(request.POST)
    if form.is_valid():
        with (
            refusal_as_message(request, TransitionConflict, NotPermitted) as refused,
            refusal_on_form(form),
        ):
            application_answer_clarification(
                application=application, actor=request.user, answer=form.cleaned_data["answer"]
            )
            messages.success(
                request, _("Thank you. Your answer was sent and the application resubmitted.")
            )
            return redirect("application-detail", application.pk)
        if refused:
            return redirect("application-detail", application.pk)
    return _render_detail(request, application, clarification_form=form, status=400)
