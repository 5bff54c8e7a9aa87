"""REST API for a grant's tranches: made due, approved (by someone else), paid."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from grants.api.grants import GRANT_ID, TRANCHE_TRANSITION, GrantPartViewSet, _valid
from grants.models import Tranche
from grants.serializers.grants import (
    TranchePaySerializer,
    TrancheSerializer,
)
from grants.services.grants import tranche_approve, tranche_make_due, tranche_pay


@extend_schema(tags=["grants"], parameters=[GRANT_ID])
class TrancheViewSet(GrantPartViewSet):
    """The grant's tranches: made due by a trigger (or a manager), approved by someone other
    than who made it due, paid — never above the grant in total."""

    serializer_class = TrancheSerializer
    model = Tranche

    def get_queryset(self):
        return super().get_queryset().select_related("made_due_by", "approved_by", "paid_by")

    @extend_schema(
        summary="Make a planned tranche due by hand (manager)",
        request=None,
        responses=TRANCHE_TRANSITION,
    )
    @action(detail=True, methods=["post"])
    def make_due(self, request: Request, grant_id: str, pk: str) -> Response:
        tranche = tranche_make_due(tranche=self.get_object(), actor=request.user)
        return self._respond(tranche)

    @extend_schema(
        summary="Approve a due tranche for payment (approver or manager)",
        description="403 for whoever made the tranche due (maker–checker).",
        request=None,
        responses=TRANCHE_TRANSITION,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, grant_id: str, pk: str) -> Response:
        tranche = tranche_approve(tranche=self.get_object(), actor=request.user)
        return self._respond(tranche)

    @extend_schema(
        summary="Record the payment of an approved tranche (approver or manager)",
        description="409 `above_grant` when the total paid would exceed the grant, "
        "`invalid_state` when the tranche is not approved (or already paid).",
        request=TranchePaySerializer,
        responses=TRANCHE_TRANSITION,
    )
    @action(detail=True, methods=["post"])
    def pay(self, request: Request, grant_id: str, pk: str) -> Response:
        tranche = self.get_object()
        data = _valid(TranchePaySerializer, request)
        tranche = tranche_pay(
            tranche=tranche,
            actor=request.user,
            paid_on=data["paid_on"],
            amount=data.get("amount"),
            reference=data["reference"],
        )
        return self._respond(tranche)
