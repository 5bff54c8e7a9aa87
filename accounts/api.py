"""Logging in from a client: a token for an e-mail address and password."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts.serializers import LoginSerializer, TokenSerializer
from workflows.rest import error_responses


class TokenThrottle(AnonRateThrottle):
    # Password guessing gets slow; an honest client asks once and keeps its token.
    scope = "token"
    rate = "20/minute"


@extend_schema(tags=["accounts"])
class TokenApi(APIView):
    throttle_classes = [TokenThrottle]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(
        summary="Exchange an e-mail and password for an API token",
        request=LoginSerializer,
        responses={200: TokenSerializer, **error_responses(400)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = LoginSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response(TokenSerializer({"token": token.key}).data)

    @extend_schema(
        summary="Revoke your API token (log this client out)",
        responses={204: None, **error_responses(401)},
    )
    def delete(self, request: Request) -> Response:
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
