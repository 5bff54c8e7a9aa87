"""How a page answers a service's refusal — the one way, so that views keep the happy path.

A service refuses with a workflows.exceptions error: NotPermitted (403), TransitionConflict
(409: wrong state, deadline passed, a concurrent change) or RuleViolation (400: input that
breaks the rules, by field). On a page:

- a refusal the page tells as a message, then goes on to its usual redirect:
      with refusal_as_message(request):
          report_approve(report=report, actor=request.user)
          messages.success(request, _("Report approved."))
      return redirect(...)
  (`with … as refused:` then `if refused:` for a page that goes elsewhere after a refusal)
- input errors the page shows on its form, which it then renders again (400):
      with refusal_on_form(form):
          programme = programme_create(actor=request.user, **form.cleaned_data)
          return redirect(...)
      return render(..., status=400)
- anything a view does not catch: NotPermitted is a PermissionDenied (Django's 403 page);
  RefusalMiddleware answers a TransitionConflict with 409 and a RuleViolation with 400, the
  reason on the page, instead of a server error.

The API answers the same errors as JSON in workflows.rest.exception_handler.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from workflows.exceptions import NotPermitted, RuleViolation, ServiceError, TransitionConflict

MESSAGE_REFUSALS = (TransitionConflict, RuleViolation)


class Refusal:
    """What `refusal_as_message` caught, if anything: true when the block was refused."""

    def __init__(self) -> None:
        self.error: Exception | None = None

    def __bool__(self) -> bool:
        return self.error is not None


@contextmanager
def refusal_as_message(
    request: HttpRequest, *refusals: type[Exception], level: int = messages.ERROR
) -> Iterator[Refusal]:
    """A message for a refusal raised inside the block (TransitionConflict and RuleViolation
    unless the page names others, e.g. NotPermitted where it tells rather than answers 403);
    the rest of the block is skipped and the view goes on after it — `as refused` says
    whether it was, for a page that then goes elsewhere."""
    caught = refusals or MESSAGE_REFUSALS
    refusal = Refusal()
    try:
        yield refusal
    except caught as exc:
        messages.add_message(request, level, str(exc))
        refusal.error = exc


def add_rule_errors(
    form, errors: Mapping[str, list[str]], aliases: Mapping[str, str] | None = None
):
    """A service's errors at the form's fields (a key the form calls otherwise goes through
    `aliases`); keys the form does not know become errors of the whole form."""
    aliases = aliases or {}
    for key, field_messages in errors.items():
        name = aliases.get(key, key)
        form.add_error(name if name in form.fields else None, list(field_messages))


@contextmanager
def refusal_on_form(
    form, *, aliases: Mapping[str, str] | None = None, conflicts: bool = False
) -> Iterator[None]:
    """A RuleViolation raised inside the block becomes the form's errors (the form's own
    `add_rule_errors` when it knows better where they belong); the view renders it again. A
    model's own ValidationError (a service that ran full_clean) is put on the form the same way;
    with `conflicts`, a TransitionConflict too, as an error of the whole form."""
    try:
        yield
    except TransitionConflict as exc:
        if not conflicts:
            raise
        form.add_error(None, str(exc))
    except ValidationError as exc:
        add_rule_errors(
            form, exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}, aliases
        )
    except RuleViolation as exc:
        if hasattr(form, "add_rule_errors"):
            if aliases is None:
                form.add_rule_errors(exc)
            else:
                form.add_rule_errors(exc, aliases)
        else:
            add_rule_errors(form, exc.errors, aliases)


class RefusalMiddleware:
    """A refusal no view caught: 409 or 400 with the reason, not a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        # NotPermitted is a PermissionDenied: Django's 403 page answers it.
        if not isinstance(exception, ServiceError) or isinstance(exception, NotPermitted):
            return None
        status = 409 if isinstance(exception, TransitionConflict) else 400
        template = (
            "workflows/_refused.html"
            if getattr(request, "htmx", False)
            else "workflows/refused.html"
        )
        return render(request, template, {"reason": str(exception)}, status=status)
