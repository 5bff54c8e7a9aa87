"""API plumbing shared by every resource: service errors → HTTP answers, and their schema.

Every error answer has the same shape, so a client needs one parser: {"detail", "code"},
plus "errors" ({field: [messages]}) on a 400. Nested input errors are flattened to the keys
the services use ("budget_lines[0].amount_requested").
"""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            # A list serializer reports its items by index: budget_lines[1].amount_requested
            name = f"[{key}]" if isinstance(key, int) else f".{key}" if prefix else str(key)
            flat |= _flatten(value, f"{prefix}{name}")
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or "non_field_errors": [str(message) for message in detail]}
        flat = {}
        for index, item in enumerate(detail):
            flat |= _flatten(item, f"{prefix}[{index}]")
        return flat
    return {prefix or "non_field_errors": [str(detail)]}


def _invalid(errors: dict[str, list[str]], code: str = "invalid") -> Response:
    detail = " ".join(
        messages[0] if field == "non_field_errors" else f"{field}: {messages[0]}"
        for field, messages in errors.items()
    )
    return Response(
        {"detail": detail, "code": code, "errors": errors}, status=status.HTTP_400_BAD_REQUEST
    )


def exception_handler(exc, context):
    if isinstance(exc, TransitionConflict):
        return Response({"detail": exc.detail, "code": exc.code}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RuleViolation):
        return Response(
            {"detail": exc.detail, "code": exc.code, "errors": exc.errors},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, exceptions.ValidationError):
        return _invalid(_flatten(exc.detail))
    if isinstance(exc, DjangoValidationError):
        # A model's full_clean() inside a service: same answer as a serializer's error.
        errors = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return _invalid({field: list(messages) for field, messages in errors.items()})
    if isinstance(exc, NotPermitted):
        return Response(
            {"detail": str(exc), "code": "permission_denied"}, status=status.HTTP_403_FORBIDDEN
        )
    if isinstance(exc, OverflowError):
        # A number too large for the database (SQLite's integers stop at 2**63), e.g. a filter
        # ?organisation=1e300: the caller's mistake, not the server's.
        return Response(
            {"detail": _("A number in the request is too large."), "code": "out_of_range"},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, ObjectDoesNotExist | Http404):
        return Response(
            {"detail": _("Not found."), "code": "not_found"}, status=status.HTTP_404_NOT_FOUND
        )
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        response.data = {"detail": str(exc.detail), "code": exc.get_codes()}
    return response


class NotFoundForAnonymous(permissions.BasePermission):
    """Logged in, or nothing. An anonymous caller asking for an object (any URL with an id)
    gets the same 404 as anyone who may not see it; on a collection, 401."""

    def has_permission(self, request, view) -> bool:
        if request.user and request.user.is_authenticated:
            return True
        if view.kwargs:
            raise exceptions.NotFound()
        return False


# Schema -----------------------------------------------------------------------------


class ApiErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text="Stable, machine-readable: e.g. stale_version.")


class ApiValidationErrorSerializer(ApiErrorSerializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Every problem at once, by field.",
    )


ERROR_DESCRIPTIONS = {
    400: "Invalid input; `errors` lists every problem by field.",
    401: "Not logged in.",
    403: "You can see this but may not do it.",
    404: "Not found, or not visible to you.",
    409: "Not allowed now: wrong state, deadline passed, stale version, already done.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """The error answers of an operation, for @extend_schema(responses=…)."""
    return {
        code: OpenApiResponse(
            ApiValidationErrorSerializer if code == 400 else ApiErrorSerializer,
            description=ERROR_DESCRIPTIONS[code],
        )
        for code in codes
    }
