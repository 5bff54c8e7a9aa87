"""accounts.services.user_settings_update: the one way a person's settings change."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.services import user_settings_update


def test_it_saves_the_given_settings_only(applicant_a):
    user_settings_update(user=applicant_a, notification_email="digest", digest_hour=8)
    stored = User.objects.get(pk=applicant_a.pk)
    assert (stored.notification_email, stored.digest_hour) == ("digest", 8)
    assert stored.timezone == "Europe/Belgrade"


def test_it_refuses_every_bad_value_and_leaves_the_object_alone(applicant_a):
    name = applicant_a.full_name
    with pytest.raises(ValidationError) as caught:
        user_settings_update(
            user=applicant_a,
            full_name="Someone Else",
            language="xx",
            timezone="Mars/Base",
            notification_email="weekly",
            digest_hour=24,
        )
    assert set(caught.value.message_dict) == {
        "language",
        "timezone",
        "notification_email",
        "digest_hour",
    }
    assert applicant_a.full_name == name  # in memory too
    assert User.objects.get(pk=applicant_a.pk).full_name == name


def test_it_changes_nothing_but_settings(applicant_a):
    with pytest.raises(TypeError):
        user_settings_update(user=applicant_a, email="other@example.org")
