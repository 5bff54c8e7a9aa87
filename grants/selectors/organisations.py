"""Reads of organisations, always for a given viewer."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from grants.models import Organisation
from grants.policies import STAFF_ROLES, roles_of


def organisations_visible_to(user) -> QuerySet[Organisation]:
    """The user's organisations, plus those that applied (or partner) in programmes they staff."""
    roles = roles_of(user)
    staffed = roles.programmes_with(*STAFF_ROLES)
    return Organisation.objects.filter(
        Q(id__in=roles.organisation_ids)
        | Q(applications__call__programme_id__in=staffed)
        | Q(programmes__id__in=staffed)
    ).distinct()


def organisations_of(user) -> QuerySet[Organisation]:
    return Organisation.objects.filter(id__in=roles_of(user).organisation_ids)
