"""API plumbing shared by every resource: service errors → HTTP answers, and their schema;
the validated body of a request; transitions as actions.

Every error answer has the same shape, so a client needs one parser: {"detail", "code"},
plus "errors" ({field: [messages]}) on a 400. Nested input errors are flattened to the keys
the services use ("budget_lines[0].amount_requested").
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.viewsets import GenericViewSet

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


def valid_data(
    serializer_class: type[serializers.Serializer], request: Request, /, **context
) -> dict:
    """The request's body as `serializer_class` (with `context`, e.g. the viewset's
    get_serializer_context()) validates it; otherwise a 400 that lists every problem."""
    serializer = serializer_class(data=request.data, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class TransitionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Objects read (list, retrieve) and changed by their transitions, POST …/<id>/<action>/.

    `transitions` is the model's registry (django-fsm name → the service that performs it, called
    as `service(*, <transition_subject>=obj, actor=…, …)`); `transition` runs one on the object
    and answers with the object as the viewset shows it (`respond`). Declare the actions with
    `transition_action`."""

    transitions: Mapping[str, Callable[..., object]] = {}
    transition_subject = ""  # the services' keyword for the object: "call", "grant", …

    def respond(self, obj, code: int = status.HTTP_200_OK) -> Response:
        """The object as this viewset reads it, fresh from the database."""
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(obj).data, status=code)

    def transition(
        self,
        request: Request,
        name: str,
        body: type[serializers.Serializer] | None = None,
        *,
        rename: Mapping[str, str] | None = None,
    ) -> Response:
        """Run transition `name` on the object (404 first, if it is not visible) as the caller.
        The fields of the validated `body` go to the service by name, or by the keyword that
        `rename` gives them ({"comment": "reason"})."""
        obj = self.get_object()
        data = valid_data(body, request) if body is not None else {}
        rename = rename or {}
        self.transitions[name](
            **{self.transition_subject: obj},
            actor=request.user,
            **{rename.get(field, field): value for field, value in data.items()},
        )
        return self.respond(obj)


def transition_action(
    name: str,
    *,
    summary: str,
    responses: Any,
    body: type[serializers.Serializer] | None = None,
    rename: Mapping[str, str] | None = None,
    description: str | None = None,
    **options,
):
    """The action POST …/<id>/<name>/ of a TransitionViewSet, assigned to its attribute `name`:
    it performs transition `name` with what `body` validates, which is also the request it
    documents (none without a body). `options` go to @action (url_path=…)."""

    def perform(self, request: Request, *args, **kwargs) -> Response:
        return self.transition(request, name, body, rename=rename)

    perform.__name__ = name  # @action routes and dispatches by it
    return extend_schema(
        summary=summary, description=description, request=body, responses=responses
    )(action(detail=True, methods=["post"], **options)(perform))


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
