"""A person's own settings. Both the settings page and PATCH /api/v1/me/ come through here."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.timezones import validate_timezone

# What a person may change about themselves; e-mail, password and roles are elsewhere.
SETTINGS_FIELDS = ("full_name", "language", "timezone", "notification_email", "digest_hour")


def validate_language(value: str) -> None:
    if value not in dict(settings.LANGUAGES):
        raise ValidationError(
            _("“%(value)s” is not a language of Regrant."), params={"value": value}
        )


def user_settings_update(*, user: User, **fields) -> User:
    """Change `user`'s own settings. Checks every value before saving any: on an error nothing
    changes, not even the object in memory (it is often request.user, shown in the header)."""
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"Not a setting: {', '.join(sorted(unknown))}")
    candidate = User(**{name: getattr(user, name) for name in SETTINGS_FIELDS})
    for name, value in fields.items():
        setattr(candidate, name, value)
    errors: dict[str, list[str]] = {}
    for name, check in (("language", validate_language), ("timezone", validate_timezone)):
        if name not in fields:
            continue  # A value stored before the rules existed is not the caller's problem.
        try:
            check(getattr(candidate, name))
        except ValidationError as error:
            errors[name] = error.messages
    try:
        # The fields' own rules: choices, 0–23, lengths. Only the settings, and no query.
        candidate.clean_fields(exclude=[f.name for f in User._meta.fields if f.name not in fields])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(user, name, value)
    if fields:
        user.save(update_fields=list(fields))
    return user
