"""Writes of award decisions: proposing an award list and approving it (maker–checker, within the
call's budget, creating the grants) or returning it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, AwardList, AwardListItem
from applications.selectors.awards import awarded_total
from grants import policies as grant_policies
from grants.models import Call
from grants.notifications import notify_organisation
from grants.services.grants import grant_create_from_application
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.models import Notification
from workflows.permissions import require
from workflows.services import transition_perform


def award_list_propose(
    *,
    call: Call,
    actor,
    adjustments: Mapping[int, Mapping] | None = None,
    comment: str = "",
) -> AwardList:
    """Propose the award list from the ranking's funding line. An amount may be adjusted
    downwards only, with a reason."""
    from applications.selectors.ranking import call_ranking, evaluation_summary, review_comments

    require(grant_policies.can_manage_call, user=actor, call=call)
    adjustments = {int(k): v for k, v in (adjustments or {}).items()}
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.state != Call.State.IN_REVIEW:
            raise TransitionConflict(
                _("Start the call's review before proposing awards."), code="invalid_state"
            )
        if AwardList.objects.filter(call=call, state=AwardList.State.PROPOSED).exists():
            raise TransitionConflict(
                _("An award list is already waiting for approval."), code="pending_list"
            )
        unfinished = Application.objects.filter(
            call=call, state__in=[Application.State.IN_REVIEW, Application.State.MODERATION]
        ).count()
        if unfinished:
            raise TransitionConflict(
                _("%(n)d applications are still in review or moderation.") % {"n": unfinished},
                code="review_unfinished",
            )
        ranking = call_ranking(call)
        comments = review_comments(call)
        errors: dict[str, list[str]] = {}
        award_list = AwardList.objects.create(call=call, proposed_by=actor, comment=comment)
        items = []
        for row in ranking.rows:
            if row.application.state != Application.State.REVIEWED:
                continue
            amount = row.requested
            reason = ""
            if row.proposal == "award" and row.application.pk in adjustments:
                change = adjustments[row.application.pk]
                reason = (change.get("reason") or "").strip()
                try:
                    amount = Decimal(str(change.get("amount")))
                except InvalidOperation:
                    errors.setdefault(f"adjustments.{row.application.pk}", []).append(
                        _("Enter an amount.")
                    )
                    continue
                if amount <= 0 or amount > row.requested:
                    errors.setdefault(f"adjustments.{row.application.pk}", []).append(
                        _("An amount can be lowered, not raised.")
                    )
                elif amount != row.requested and not reason:
                    errors.setdefault(f"adjustments.{row.application.pk}", []).append(
                        _("Give the reason for lowering the amount.")
                    )
            items.append(
                AwardListItem(
                    award_list=award_list,
                    application=row.application,
                    rank=row.rank,
                    total_score=row.total,
                    outcome=row.proposal,
                    amount=amount if row.proposal != "reject" else None,
                    amount_reason=reason,
                    feedback=evaluation_summary(row, ranking.criteria, comments),
                )
            )
        if errors:
            raise RuleViolation(errors)
        AwardListItem.objects.bulk_create(items)
        for item in items:
            name = {"award": "shortlist", "reserve": "place_on_reserve"}.get(item.outcome)
            if name:
                transition_perform(
                    obj=Application.objects.select_for_update().get(pk=item.application_id),
                    name=name,
                    actor=actor,
                )
    return award_list


def award_list_approve(*, award_list: AwardList, actor, comment: str = "") -> AwardList:
    """The approver — never the proposer — approves: in one transaction, applications become
    awarded (with their grant), reserve or rejected. The call row is locked first, so two
    approvals run one after the other and the second sees the budget the first used."""
    with transaction.atomic():
        call = (
            Call.objects.select_for_update().select_related("programme").get(pk=award_list.call_id)
        )
        award_list = AwardList.objects.select_for_update().get(pk=award_list.pk)
        if award_list.proposed_by_id == actor.pk:
            raise NotPermitted(_("The person who proposed the list cannot approve it."))
        items = list(award_list.items.select_related("application__organisation"))
        to_award = sum((i.amount for i in items if i.outcome == "award"), Decimal(0))
        if (
            award_list.state == AwardList.State.PROPOSED
            and awarded_total(call) + to_award > call.budget
        ):
            raise TransitionConflict(
                _("Approving would exceed the call's budget."), code="budget_exceeded"
            )
        award_list.decided_by = actor
        award_list.decided_at = timezone.now()
        transition_perform(obj=award_list, name="approve", actor=actor, comment=comment)
        for item in items:
            application = Application.objects.select_for_update().get(pk=item.application_id)
            if item.outcome == "award":
                transition_perform(
                    obj=application, name="award", actor=actor, check_permission=False
                )
                grant_create_from_application(
                    application=application, amount=item.amount, actor=actor
                )
            elif item.outcome == "reject":
                transition_perform(
                    obj=application, name="reject", actor=actor, check_permission=False
                )
            elif application.state == Application.State.SHORTLISTED:
                transition_perform(
                    obj=application, name="place_on_reserve", actor=actor, check_permission=False
                )
        if call.state == Call.State.IN_REVIEW:
            transition_perform(obj=call, name="decide", actor=actor, check_permission=False)
        organisations = dict(
            Application.objects.filter(pk__in=[i.application_id for i in items]).values_list(
                "pk", "organisation_id"
            )
        )
        for item in items:
            notify_organisation(
                Notification.Kind.DECISION,
                organisations[item.application_id],
                key=f"application:{item.application_id}",
                url=f"/applications/{item.application_id}/",
                subject=f"Funding decision: application {item.application_id}",
                params={"application": item.application_id},
            )
    return award_list


def award_list_return(*, award_list: AwardList, actor, comment: str) -> AwardList:
    if not (comment or "").strip():
        raise RuleViolation({"comment": [_("Say what should change.")]})
    with transaction.atomic():
        award_list = AwardList.objects.select_for_update().get(pk=award_list.pk)
        if award_list.proposed_by_id == actor.pk:
            raise NotPermitted(_("The person who proposed the list cannot return it."))
        award_list.decided_by = actor
        award_list.decided_at = timezone.now()
        transition_perform(obj=award_list, name="return_for_changes", actor=actor, comment=comment)
        for item in award_list.items.all():
            application = Application.objects.select_for_update().get(pk=item.application_id)
            if application.state in (Application.State.SHORTLISTED, Application.State.RESERVE):
                transition_perform(
                    obj=application, name="unlist", actor=actor, check_permission=False
                )
    return award_list


# Every transition of an award list that a person performs, by its django-fsm name → the service
# that performs it (proposing creates the list): its API actions and `available_transitions`,
# and the admin, come from here.
AWARD_LIST_TRANSITIONS: dict[str, Callable[..., AwardList]] = {
    "approve": award_list_approve,
    "return_for_changes": award_list_return,
}

# The API's action for a transition, where the names differ: POST …/return/.
AWARD_LIST_ACTIONS = {"return_for_changes": "return"}
