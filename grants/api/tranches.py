"""REST API for a grant's tranches: made due, approved (by someone else), paid."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema

from grants.api.grants import GRANT_ID, TRANCHE_TRANSITION, GrantPartViewSet
from grants.models import Tranche
from grants.serializers.grants import (
    TranchePaySerializer,
    TrancheSerializer,
)
from grants.services.grants import TRANCHE_TRANSITIONS
from workflows.rest import transition_action


@extend_schema(tags=["grants"], parameters=[GRANT_ID])
class TrancheViewSet(GrantPartViewSet):
    """The grant's tranches: made due by a trigger (or a manager), approved by someone other
    than who made it due, paid — never above the grant in total."""

    serializer_class = TrancheSerializer
    model = Tranche
    transitions = TRANCHE_TRANSITIONS
    transition_subject = "tranche"

    def get_queryset(self):
        return super().get_queryset().select_related("made_due_by", "approved_by", "paid_by")

    make_due = transition_action(
        "make_due",
        summary="Make a planned tranche due by hand (manager)",
        responses=TRANCHE_TRANSITION,
    )

    approve = transition_action(
        "approve",
        summary="Approve a due tranche for payment (approver or manager)",
        description="403 for whoever made the tranche due (maker–checker).",
        responses=TRANCHE_TRANSITION,
    )

    pay = transition_action(
        "pay",
        summary="Record the payment of an approved tranche (approver or manager)",
        description="409 `above_grant` when the total paid would exceed the grant, "
        "`invalid_state` when the tranche is not approved (or already paid).",
        body=TranchePaySerializer,
        responses=TRANCHE_TRANSITION,
    )
