"""Reads of award lists, for a given viewer: the lists of the calls they staff, one of them or
404."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum

from applications.models import AwardList, AwardListItem
from grants.models import Call, Grant
from grants.policies import roles_of
from grants.roles import STAFF_ROLES
from workflows.selectors import object_or_404


def award_lists_visible_to(user) -> QuerySet[AwardList]:
    """The award lists of the calls of the programmes the user staffs."""
    staffed = roles_of(user).programmes_with(*STAFF_ROLES)
    return (
        AwardList.objects.filter(call__programme_id__in=staffed)
        .select_related("call__programme", "proposed_by", "decided_by")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=AwardListItem.objects.select_related("application__organisation"),
            )
        )
    )


def award_list_for_staff(user, award_list_id, *, for_update: bool = False) -> AwardList:
    """An award list of a call of the programmes the user staffs; else 404."""
    staffed = roles_of(user).programmes_with(*STAFF_ROLES)
    return object_or_404(
        AwardList.objects.select_related("call__programme").filter(call__programme_id__in=staffed),
        award_list_id,
        for_update=for_update,
    )


def awarded_total(call: Call) -> Decimal:
    """What the call has awarded so far: the sum of its grants."""
    return Grant.objects.filter(application__call=call).aggregate(s=Sum("amount"))["s"] or Decimal(
        0
    )
