"""Errors a service raises. The API maps them to HTTP answers; the web views to messages."""

from django.core.exceptions import PermissionDenied


class ServiceError(Exception):
    """A service's refusal. Its kinds are answered the same way everywhere: 403, 409 or 400
    with the reason (workflows.rest for the API, workflows.refusals for pages)."""


class TransitionConflict(ServiceError):
    """The transition is not allowed now: wrong state, deadline passed, concurrent change.

    Answered with 409 and {"detail", "code"}.
    """

    def __init__(self, detail: str, code: str = "conflict"):
        super().__init__(detail)
        self.detail = str(detail)
        self.code = code


class RuleViolation(ServiceError):
    """Input that breaks the rules; carries every problem at once, by field.

    Answered with 400: {"detail", "code", "errors": {field: [messages]}}.
    """

    def __init__(self, errors: dict[str, list[str]], detail: str = "", code: str = "invalid"):
        self.errors = {key: [str(m) for m in messages] for key, messages in errors.items()}
        self.detail = str(detail) or "; ".join(m for ms in self.errors.values() for m in ms)
        self.code = code
        super().__init__(self.detail)

    @property
    def messages(self) -> list[str]:
        return [m for ms in self.errors.values() for m in ms]


class NotPermitted(ServiceError, PermissionDenied):
    """The actor may see the object but may not do this to it (403). A PermissionDenied, so a
    page that lets it through answers 403 the way Django does; the API says it as JSON."""
