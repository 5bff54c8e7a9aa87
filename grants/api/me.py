"""Who am I: the person's settings (PATCHable), their organisations, programme roles and calls
they review."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.models import User
from grants.serializers.me import MeSerializer
from workflows.rest import error_responses


def _me(user: User) -> User:
    return User.objects.prefetch_related(
        "memberships__organisation", "programme_roles__programme", "reviewer_calls"
    ).get(pk=user.pk)


@extend_schema(tags=["accounts"])
class MeApi(APIView):
    @extend_schema(
        summary="Who you are: your organisations with your role, your programme roles",
        responses={200: MeSerializer, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(_me(request.user)).data)

    @extend_schema(
        summary="Change your own settings: name, language, time zone, e-mail about news",
        request=MeSerializer,
        responses={200: MeSerializer, **error_responses(400, 401)},
    )
    def patch(self, request: Request) -> Response:
        serializer = MeSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = {
            name: value
            for name, value in serializer.validated_data.items()
            if name in services.SETTINGS_FIELDS
        }
        services.user_settings_update(user=request.user, **fields)
        return Response(MeSerializer(_me(request.user)).data)
