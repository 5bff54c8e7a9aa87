"""Who may do what with an application. django-fsm permissions take (instance, user)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from grants.policies import is_member, is_programme_manager, is_programme_staff

if TYPE_CHECKING:
    from .models import Application


def _programme_id(application: Application) -> int:
    return application.call.programme_id


def can_view(user, application: Application) -> bool:
    return is_member(user, application.organisation_id) or is_programme_staff(
        user, _programme_id(application)
    )


def is_applicant(application: Application, user) -> bool:
    return is_member(user, application.organisation_id)


def is_manager(application: Application, user) -> bool:
    return is_programme_manager(user, _programme_id(application))


def can_edit(user, application: Application) -> bool:
    return is_applicant(application, user) and application.is_editable
