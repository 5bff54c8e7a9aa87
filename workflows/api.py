"""API plumbing shared by every resource: service errors → HTTP answers."""

from django.core.exceptions import ObjectDoesNotExist
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .exceptions import NotPermitted, RuleViolation, TransitionConflict


def exception_handler(exc, context):
    if isinstance(exc, TransitionConflict):
        return Response({"detail": exc.detail, "code": exc.code}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RuleViolation):
        return Response(
            {"detail": exc.detail, "code": exc.code, "errors": exc.errors},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, NotPermitted):
        return Response(
            {"detail": str(exc), "code": "permission_denied"}, status=status.HTTP_403_FORBIDDEN
        )
    if isinstance(exc, ObjectDoesNotExist):
        return Response({"detail": "Not found.", "code": "not_found"}, status=404)
    return drf_exception_handler(exc, context)
