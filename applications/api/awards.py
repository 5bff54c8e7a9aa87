"""REST API for award lists: propose, approve (someone other than the proposer), return."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from applications.api.review import AWARD_LIST_TRANSITION
from applications.models import AwardList
from applications.selectors.awards import award_lists_visible_to
from applications.serializers.review import (
    AwardListProposeSerializer,
    AwardListReturnSerializer,
    AwardListSerializer,
)
from applications.services.awards import AWARD_LIST_TRANSITIONS, award_list_propose
from grants.serializers.common import TransitionCommentSerializer
from workflows.rest import (
    NotFoundForAnonymous,
    TransitionViewSet,
    error_responses,
    transition_action,
    valid_data,
)


class AwardListFilter(django_filters.FilterSet):
    call = django_filters.NumberFilter(field_name="call_id")
    state = django_filters.ChoiceFilter(choices=AwardList.State.choices)

    class Meta:
        model = AwardList
        fields = ["call", "state"]


@extend_schema_view(
    list=extend_schema(summary="Award lists of the calls of your programmes (programme staff)"),
    create=extend_schema(
        summary="Propose the award list from the ranking's funding line (manager)",
        description="Amounts may be lowered, with a reason (400 under "
        "`adjustments.<application id>`). 409 while applications are still in review or "
        "moderation, while another list waits for approval, or when the call is not in review.",
        request=AwardListProposeSerializer,
        responses={201: AwardListSerializer, **error_responses(400, 401, 403, 409)},
    ),
)
@extend_schema(tags=["selection"])
class AwardListViewSet(TransitionViewSet):
    """Award lists: proposed by a manager, approved or returned by an approver who is not
    the proposer (maker–checker)."""

    permission_classes = [NotFoundForAnonymous]
    serializer_class = AwardListSerializer
    filterset_class = AwardListFilter
    ordering_fields = ["proposed_at", "decided_at"]
    transitions = AWARD_LIST_TRANSITIONS
    transition_subject = "award_list"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return AwardList.objects.none()
        return award_lists_visible_to(self.request.user)

    def create(self, request: Request) -> Response:
        data = valid_data(AwardListProposeSerializer, request, **self.get_serializer_context())
        award_list = award_list_propose(
            call=data["call"],
            actor=request.user,
            adjustments={
                row["application"]: {"amount": row["amount"], "reason": row["reason"]}
                for row in data["adjustments"]
            },
            comment=data["comment"],
        )
        return self.respond(award_list, status.HTTP_201_CREATED)

    approve = transition_action(
        "approve",
        summary="Approve the list (an approver who did not propose it)",
        description="In one transaction the applications become awarded (with their grant), "
        "reserve or rejected. 403 for the proposer; 409 `budget_exceeded` when the awards "
        "would exceed the call's budget, `invalid_state` when the list was already decided.",
        body=TransitionCommentSerializer,
        responses=AWARD_LIST_TRANSITION,
    )

    return_for_changes = transition_action(
        "return_for_changes",
        summary="Return the list for changes, saying what (an approver, not the proposer)",
        description="The applications go back to reviewed; a new list can be proposed.",
        body=AwardListReturnSerializer,
        responses=AWARD_LIST_TRANSITION,
        url_path="return",
        url_name="return",
    )
