"""Writes of an application by its applicant: the draft (answers, budget lines, partners,
attachments) with optimistic versions, submission, withdrawal."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from applications import policies
from applications.models import (
    Answer,
    Application,
    Attachment,
    BudgetLine,
    Partner,
)
from applications.rules import submission_problems
from grants import policies as grant_policies
from grants.models import Call, CallQuestion, Organisation
from grants.notifications import notify_organisation
from grants.uploads import inspect_upload
from workflows.exceptions import RuleViolation, TransitionConflict
from workflows.models import Notification
from workflows.permissions import require
from workflows.services import transition_perform

MAX_ANSWER_CHARS = 100_000


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("call__programme", "organisation")
        .get(pk=application.pk)
    )


def _require_editable(application: Application, actor) -> None:
    require(
        policies.can_act_for_applicant,
        user=actor,
        application=application,
        message=_("Only members of the applicant organisation can edit it."),
    )
    if not application.is_editable:
        raise TransitionConflict(
            _("This application is “%(s)s” and can no longer be edited.")
            % {"s": application.public_status},
            code="not_editable",
        )


def _bump(application: Application, actor) -> None:
    application.version += 1
    application.updated_by = actor
    application.save(update_fields=["version", "updated_by", "updated_at"])


def _check_version(application: Application, version: int | None) -> None:
    if version is not None and int(version) != application.version:
        who = application.updated_by.display_name if application.updated_by else _("someone")
        raise TransitionConflict(
            _(
                "%(who)s changed this application at %(when)s, after you opened it. "
                "Your text is still in the form: copy it, reload to see their changes, "
                "and merge."
            )
            % {"who": who, "when": date_format(timezone.localtime(application.updated_at), "H:i")},
            code="stale_version",
        )


def application_create(*, call: Call, organisation: Organisation, actor, title: str) -> Application:
    require(
        grant_policies.is_member,
        user=actor,
        organisation_id=organisation.pk,
        message=_("You can apply only for an organisation you are a member of."),
    )
    if not call.is_accepting:
        raise TransitionConflict(_("This call is not accepting applications."), code="call_closed")
    application = Application(
        call=call,
        organisation=organisation,
        title=title.strip(),
        created_by=actor,
        updated_by=actor,
    )
    application.save()
    return application


def _parse_money(value, field: str, errors: dict) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation:
        errors.setdefault(field, []).append(_("Enter an amount, e.g. 1250.00."))
        return Decimal("0")
    if not amount.is_finite() or amount < 0:
        errors.setdefault(field, []).append(_("Amounts cannot be negative."))
    elif amount.as_tuple().exponent < -2:
        errors.setdefault(field, []).append(_("Use at most two decimals."))
    elif amount >= Decimal("1e12"):
        errors.setdefault(field, []).append(_("That amount is too large."))
    return amount


def _clean_budget_lines(lines: Iterable[Mapping]) -> list[BudgetLine]:
    errors: dict[str, list[str]] = {}
    cleaned = []
    categories = set(BudgetLine.Category.values)
    for index, line in enumerate(lines):
        prefix = f"budget_lines[{index}]"
        description = (line.get("description") or "").strip()
        category = line.get("category") or BudgetLine.Category.OTHER
        requested = _parse_money(line.get("amount_requested"), f"{prefix}.amount_requested", errors)
        own = _parse_money(line.get("own_contribution"), f"{prefix}.own_contribution", errors)
        if category not in categories:
            errors.setdefault(f"{prefix}.category", []).append(_("Choose a category."))
        if not description and (requested or own):
            errors.setdefault(f"{prefix}.description", []).append(_("Describe this line."))
        if not description and not requested and not own:
            continue  # an empty row of the form
        cleaned.append(
            BudgetLine(
                order=index,
                category=category,
                description=description[:300],
                amount_requested=requested,
                own_contribution=own,
            )
        )
    if errors:
        raise RuleViolation(errors)
    return cleaned


def application_update(
    *,
    application: Application,
    actor,
    version: int | None,
    title: str | None = None,
    answers: Mapping[int, str] | None = None,
    budget_lines: Iterable[Mapping] | None = None,
) -> Application:
    """Save a draft. `version` is what the editor loaded; if someone saved since, nothing is
    written and TransitionConflict(code="stale_version") says who and when. The draft keeps
    anything typed, even what breaks a rule: rules are checked at submission."""
    with transaction.atomic():
        application = _locked(application)
        _require_editable(application, actor)
        _check_version(application, version)
        errors: dict[str, list[str]] = {}
        lines = _clean_budget_lines(budget_lines) if budget_lines is not None else None
        if title is not None:
            if len(title) > 255:
                errors["title"] = [_("Keep the title under 255 characters.")]
            application.title = title.strip()
        if answers:
            questions = {q.pk: q for q in application.call.questions.all()}
            for qid, value in answers.items():
                question = questions.get(int(qid))
                if question is None or question.kind == CallQuestion.Kind.FILE:
                    errors.setdefault("answers", []).append(
                        _("Question %(id)s is not part of this call.") % {"id": qid}
                    )
                elif len(value or "") > MAX_ANSWER_CHARS:
                    errors.setdefault(f"answers.{qid}", []).append(_("This answer is too long."))
        if errors:
            raise RuleViolation(errors)
        if answers:
            for qid, value in answers.items():
                Answer.objects.update_or_create(
                    application=application, question_id=int(qid), defaults={"value": value or ""}
                )
        if lines is not None:
            application.budget_lines.all().delete()
            for line in lines:
                line.application = application
            BudgetLine.objects.bulk_create(lines)
        application.version += 1
        application.updated_by = actor
        application.save()
    return application


def budget_line_save(
    *, application: Application, actor, line: BudgetLine | None = None, **fields
) -> BudgetLine:
    """Add a budget line, or change one (API)."""
    with transaction.atomic():
        application = _locked(application)
        _require_editable(application, actor)
        merged = {
            "category": getattr(line, "category", BudgetLine.Category.OTHER),
            "description": getattr(line, "description", ""),
            "amount_requested": getattr(line, "amount_requested", 0),
            "own_contribution": getattr(line, "own_contribution", 0),
        } | fields
        (clean,) = _clean_budget_lines([merged]) or [None]
        if clean is None:
            raise RuleViolation({"description": [_("Describe this line.")]})
        if line is None:
            line = clean
            line.application = application
            line.order = application.budget_lines.count()
        else:
            for name in ("category", "description", "amount_requested", "own_contribution"):
                setattr(line, name, getattr(clean, name))
        line.save()
        _bump(application, actor)
    return line


def budget_line_delete(*, line: BudgetLine, actor) -> None:
    with transaction.atomic():
        application = _locked(line.application)
        _require_editable(application, actor)
        line.delete()
        _bump(application, actor)


def partner_add(
    *,
    application: Application,
    actor,
    role: str = "",
    organisation: Organisation | None = None,
    new_organisation: Mapping | None = None,
) -> Partner:
    """Add an existing organisation as partner, or register a new one (legal name, country,
    type) and add it."""
    with transaction.atomic():
        application = _locked(application)
        _require_editable(application, actor)
        if organisation is None:
            if not new_organisation:
                raise RuleViolation({"organisation": [_("Choose or describe the partner.")]})
            organisation = Organisation(**new_organisation)
            try:
                organisation.full_clean()
            except ValidationError as exc:
                raise RuleViolation(exc.message_dict) from exc
            organisation.save()
        if organisation.pk == application.organisation_id:
            raise RuleViolation({"organisation": [_("The applicant cannot be its own partner.")]})
        if application.partners.filter(organisation=organisation).exists():
            raise RuleViolation({"organisation": [_("This organisation is already a partner.")]})
        partner = Partner.objects.create(
            application=application, organisation=organisation, role=role.strip()[:300]
        )
        _bump(application, actor)
    return partner


def partner_remove(*, partner: Partner, actor) -> None:
    with transaction.atomic():
        application = _locked(partner.application)
        _require_editable(application, actor)
        partner.delete()
        _bump(application, actor)


def attachment_add(
    *,
    application: Application,
    actor,
    upload: UploadedFile,
    question: CallQuestion | None = None,
) -> Attachment:
    """Store an upload under a generated name after checking its size and its content."""
    content_type = inspect_upload(upload, max_bytes=settings.ATTACHMENT_MAX_BYTES)
    with transaction.atomic():
        application = _locked(application)
        _require_editable(application, actor)
        if question is not None and (
            question.call_id != application.call_id or question.kind != CallQuestion.Kind.FILE
        ):
            raise RuleViolation({"question": [_("That question does not take a file.")]})
        attachment = Attachment(
            application=application,
            question=question,
            original_name=upload.name[:255],
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
        _bump(application, actor)
    return attachment


def attachment_remove(*, attachment: Attachment, actor) -> None:
    with transaction.atomic():
        application = _locked(attachment.application)
        _require_editable(application, actor)
        stored = attachment.file.name
        attachment.delete()
        _bump(application, actor)
        storage = attachment.file.storage
        transaction.on_commit(lambda: storage.delete(stored))


def application_submit(*, application: Application, actor) -> Application:
    """Submit a draft. Refused, with the draft untouched, when it is not a draft any more
    (409 already_submitted), when the call does not accept submissions at this second by the
    server's clock (409 call_closed), or when rules fail (400, every failure listed).
    Two concurrent submits: the second waits on the row lock and finds it submitted."""
    with transaction.atomic():
        application = _locked(application)
        require(
            policies.can_act_for_applicant,
            user=actor,
            application=application,
            message=_("Only members of the applicant organisation can submit."),
        )
        if application.state != Application.State.DRAFT:
            raise TransitionConflict(
                _("This application was already submitted (%(ref)s).")
                % {"ref": application.reference or application.public_status},
                code="already_submitted",
            )
        now = timezone.now()
        call = application.call
        if not call.accepts_submissions_at(now):
            raise TransitionConflict(
                _(
                    "The call closed at %(deadline)s; submissions are no longer accepted. "
                    "Your draft is kept."
                )
                % {"deadline": _local(call.closes_at, call.timezone)}
                if now >= call.closes_at or call.state != Call.State.OPEN
                else _("The call opens at %(opens)s.")
                % {"opens": _local(call.opens_at, call.timezone)},
                code="call_closed",
            )
        problems = submission_problems(application)
        if problems:
            raise RuleViolation(
                problems,
                detail=_("The application cannot be submitted yet: %(n)d problems to fix.")
                % {"n": sum(len(p) for p in problems.values())},
                code="rules_failed",
            )
        application.submitted_at = now
        transition_perform(obj=application, name="submit", actor=actor)
        prefix = call.reference_prefix or f"C{call.pk}"
        application.reference = f"{prefix}-{now:%Y}-{application.pk:05d}"
        application.version += 1
        application.save(update_fields=["reference", "version", "submitted_at"])
        notify_organisation(
            Notification.Kind.APPLICATION_RECEIVED,
            application.organisation_id,
            key=f"application:{application.pk}",
            url=f"/applications/{application.pk}/receipt/",
            subject=f"Application {application.reference} received",
            params={"application": application.pk},
        )
    return application


def _local(moment, zone: str) -> str:
    from grants.templatetags.money import in_zone

    return in_zone(moment, zone)


def application_withdraw(*, application: Application, actor, comment: str = "") -> Application:
    with transaction.atomic():
        application = _locked(application)
        transition_perform(obj=application, name="withdraw", actor=actor, comment=comment)
    return application


# The registry of an application's transitions, APPLICATION_TRANSITIONS, is in
# applications.services.screening: the screening services build on this module.
