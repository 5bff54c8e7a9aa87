"""The application editor: the draft's answers, budget, partners and attachments, with htmx
autosave under an optimistic version (a concurrent edit answers 409 and keeps what was typed).
The writing is applications.services'."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import (
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
    Draft,
    PartnerExistingForm,
    PartnerNewForm,
    draft_from_application,
    draft_from_post,
)
from applications.models import Application, Attachment, budget_totals
from applications.rules import Check, eligibility_checks
from applications.selectors.applications import (
    application_for_viewer,
    application_with_content_for_member,
    attachment_of,
    partner_of,
)
from applications.services import applications as applications_services
from applications.services.applications import application_update
from grants.forms.common import posted_version
from grants.models import (
    CallQuestion,
    Organisation,
)
from grants.templatetags.money import in_zone
from grants.uploads import ALLOWED, ALLOWED_DESCRIPTION, upload_response
from workflows.exceptions import RuleViolation, TransitionConflict
from workflows.refusals import refusal_on_form

PARTNER_SEARCH_LIMIT = 20


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
        with refusal_on_form(form, conflicts=True):
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
    partner = partner_of(application.pk, partner_id)
    name = partner.organisation.legal_name
    return _removal_response(
        request,
        application,
        section="partners",
        remove=lambda: applications_services.partner_remove(partner=partner, actor=request.user),
        done=_("%(org)s is no longer a partner.") % {"org": name},
    )


def _removal_response(request, application, *, section: str, remove, done: str) -> HttpResponse:
    """Take a partner or an attachment off the draft: the section again (htmx; 409 with the
    reason when the draft can no longer change), or a message and the editor."""
    error = None
    try:
        remove()
    except TransitionConflict as exc:
        error = exc.detail
    message = error or done
    if not request.htmx:
        (messages.error if error else messages.success)(request, message)
        return redirect(f"{reverse('application-edit', args=[application.pk])}#{section}")
    # The section's template reads its message as partner_message / attachment_message.
    key = {"partners": "partner_message", "attachments": "attachment_message"}[section]
    return _section_response(
        request,
        application,
        section=section,
        page_version=posted_version(request.POST),
        bumped=error is None,
        status=409 if error else 200,
        **{key: message},
    )


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
    attachment = attachment_of(application.pk, attachment_id)
    return _removal_response(
        request,
        application,
        section="attachments",
        remove=lambda: applications_services.attachment_remove(
            attachment=attachment, actor=request.user
        ),
        done=_("“%(name)s” removed.") % {"name": attachment.original_name},
    )


@require_GET
def attachment_download(
    request: HttpRequest, application_id: int, attachment_id: int
) -> HttpResponse:
    """Stream an attachment under its original name, after checking who asks. Files are
    stored under generated names and never served from a public URL."""
    application = application_for_viewer(request.user, application_id)
    attachment = attachment_of(application.pk, attachment_id)
    return upload_response(attachment)
