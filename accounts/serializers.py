"""Shapes of logging in from a client."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )

    def validate(self, attrs: dict) -> dict:
        user = authenticate(
            self.context.get("request"), email=attrs["email"].lower(), password=attrs["password"]
        )
        if user is None:
            # One message for an unknown e-mail and a wrong password: no account probing.
            raise serializers.ValidationError(_("Wrong e-mail or password."), code="authorization")
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")
