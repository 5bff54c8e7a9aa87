"""Writes of review: the reviewer pool, automatic and manual assignment, conflict declarations,
scores with autosave, submission, and what a complete set of reviews does to the application."""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, Partner, Review, ReviewAssignment, Score
from applications.selectors.review import open_assignments_on_call
from grants import policies as grant_policies
from grants.models import Call, CallReviewer, Criterion, Membership
from grants.templatetags.money import plain
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.models import Notification
from workflows.notifications import notify
from workflows.permissions import require
from workflows.services import transition_perform, transition_perform_bulk

DEFAULT_REVIEW_DAYS = 14


ASSIGNABLE_STATES = [
    Application.State.ELIGIBLE,
    Application.State.IN_REVIEW,
    Application.State.MODERATION,
]


def _due_at(call: Call, now: dt.datetime) -> dt.datetime:
    return call.review_due_at or now + dt.timedelta(days=DEFAULT_REVIEW_DAYS)


class _Pool:
    """What the assignment needs to know about a call, loaded in a fixed number of queries."""

    def __init__(self, call: Call, application_ids: list[int] | None = None):
        self.call = call
        apps = Application.objects.filter(call=call, state__in=ASSIGNABLE_STATES)
        if application_ids is not None:
            apps = apps.filter(pk__in=application_ids)
        self.applications = list(
            apps.order_by("pk").values_list(
                "pk", "organisation_id", "organisation__country", "state"
            )
        )
        app_ids = [a[0] for a in self.applications]
        self.partner_orgs: dict[int, set[int]] = defaultdict(set)
        for app_id, org_id in Partner.objects.filter(application__call=call).values_list(
            "application_id", "organisation_id"
        ):
            self.partner_orgs[app_id].add(org_id)
        self.reviewers = list(
            CallReviewer.objects.filter(call=call)
            .order_by("user_id")
            .values_list("user_id", "country", "capacity")
        )
        self.member_orgs: dict[int, set[int]] = defaultdict(set)
        for user_id, org_id in Membership.objects.filter(
            user_id__in=[r[0] for r in self.reviewers]
        ).values_list("user_id", "organisation_id"):
            self.member_orgs[user_id].add(org_id)
        self.load: dict[int, int] = defaultdict(int)
        self.taken: dict[int, set[int]] = defaultdict(set)
        self.active: dict[int, int] = defaultdict(int)
        for app_id, reviewer_id, state in ReviewAssignment.objects.filter(
            application__call=call
        ).values_list("application_id", "reviewer_id", "state"):
            self.taken[app_id].add(reviewer_id)  # recused or declined: never asked again
            if state in ReviewAssignment.ACTIVE:
                self.load[reviewer_id] += 1
                self.active[app_id] += 1
        self._apps_by_id = {a[0]: a for a in self.applications}
        del app_ids

    def exclusion(self, reviewer: tuple, app_id: int) -> str | None:
        """Why this reviewer may not review this application, or None."""
        user_id, country, _capacity = reviewer
        _pk, org_id, org_country, _state = self._apps_by_id[app_id]
        orgs = self.member_orgs.get(user_id, set())
        if org_id in orgs:
            return _("The reviewer is a member of the applicant organisation.")
        if orgs & self.partner_orgs.get(app_id, set()):
            return _("The reviewer is a member of a partner organisation.")
        if self.call.exclude_same_country and country and country == org_country:
            return _("The call excludes reviewers from the applicant's country.")
        return None


def assignments_auto_assign(*, call: Call, actor, application_ids: list[int] | None = None) -> int:
    """Give every assignable application `reviewers_per_application` active reviewers.

    1. Load the pool, the exclusions and the current load (a fixed number of queries).
    2. Walk the applications in id order; for each gap pick the eligible reviewers with the
       lowest load, ties broken by user id — deterministic for the same input, and no reviewer
       ends more than one above another unless capacities or exclusions force it.
    3. Insert the new assignments in bulk; eligible applications enter review (bulk transition).
    Re-running only fills gaps: existing, recused and declined assignments are kept.
    """
    require(grant_policies.can_manage_call, user=actor, call=call)
    with transaction.atomic():
        Call.objects.select_for_update().get(pk=call.pk)  # one auto-assignment at a time
        pool = _Pool(call, application_ids)
        now = timezone.now()
        due = _due_at(call, now)
        needed = call.reviewers_per_application
        new: list[ReviewAssignment] = []
        for app_id, *_rest in pool.applications:
            gap = needed - pool.active[app_id]
            if gap <= 0:
                continue
            candidates = [
                reviewer
                for reviewer in pool.reviewers
                if reviewer[0] not in pool.taken[app_id]
                and (reviewer[2] is None or pool.load[reviewer[0]] < reviewer[2])
                and pool.exclusion(reviewer, app_id) is None
            ]
            for user_id, _country, _capacity in heapq.nsmallest(
                gap, candidates, key=lambda r: (pool.load[r[0]], r[0])
            ):
                new.append(
                    ReviewAssignment(
                        application_id=app_id, reviewer_id=user_id, due_at=due, assigned_by=actor
                    )
                )
                pool.load[user_id] += 1
                pool.active[app_id] += 1
                pool.taken[app_id].add(user_id)
        _rebalance(pool, new)
        ReviewAssignment.objects.bulk_create(new, batch_size=1000)
        entering = {a.application_id for a in new}
        transition_perform_bulk(
            model=Application,
            ids=[a[0] for a in pool.applications if a[0] in entering and a[3] == "eligible"],
            name="start_review",
            actor=actor,
        )
        _tell_reviewers(new)
    return len(new)


def _tell_reviewers(new: list[ReviewAssignment]) -> None:
    """One notification per reviewer per batch, listing what they were given."""
    per_reviewer: dict[int, list[int]] = defaultdict(list)
    for assignment in new:
        per_reviewer[assignment.reviewer_id].append(assignment.pk)
    for reviewer_id, ids in per_reviewer.items():
        notify(
            Notification.Kind.REVIEW_ASSIGNED,
            recipients=[reviewer_id],
            key=f"assignments:{ids[0]}",
            url="/review/",
            subject=f"{len(ids)} application(s) assigned to you for review",
            params={"assignments": ids},
        )


def _rebalance(pool: _Pool, new: list[ReviewAssignment]) -> None:
    """Greedy assignment can leave loads two apart when exclusions cut the candidates. Move
    new assignments from the most to the least loaded reviewers while a move is allowed,
    until no two reviewers are more than one apart (or no allowed move is left)."""
    by_reviewer: dict[int, list[ReviewAssignment]] = defaultdict(list)
    for assignment in new:
        by_reviewer[assignment.reviewer_id].append(assignment)
    reviewers = {r[0]: r for r in pool.reviewers}
    stuck: set[int] = set()
    while True:
        movable = [r for r in reviewers if r not in stuck and by_reviewer.get(r)]
        if not movable:
            return
        high = max(movable, key=lambda r: (pool.load[r], -r))
        lows = sorted(reviewers, key=lambda r: (pool.load[r], r))
        if pool.load[high] - pool.load[lows[0]] <= 1:
            return
        moved = False
        for low in lows:
            if pool.load[high] - pool.load[low] <= 1:
                break
            capacity = reviewers[low][2]
            if capacity is not None and pool.load[low] >= capacity:
                continue
            for assignment in by_reviewer[high]:
                app_id = assignment.application_id
                if low in pool.taken[app_id] or pool.exclusion(reviewers[low], app_id):
                    continue
                by_reviewer[high].remove(assignment)
                pool.taken[app_id].discard(high)
                assignment.reviewer_id = low
                by_reviewer[low].append(assignment)
                pool.taken[app_id].add(low)
                pool.load[high] -= 1
                pool.load[low] += 1
                moved = True
                break
            if moved:
                break
        if not moved:
            stuck.add(high)


def assignment_create(*, application: Application, reviewer, actor) -> ReviewAssignment:
    """Assign one reviewer by hand, under the same exclusion rules."""
    call = application.call
    require(grant_policies.can_manage_call, user=actor, call=call)
    with transaction.atomic():
        Call.objects.select_for_update().get(pk=call.pk)
        pool = _Pool(call, [application.pk])
        if not pool.applications:
            raise TransitionConflict(
                _("Only eligible applications in review can get reviewers."), code="invalid_state"
            )
        entry = next((r for r in pool.reviewers if r[0] == reviewer.pk), None)
        if entry is None:
            raise RuleViolation(
                {"reviewer": [_("Add this person to the call's reviewer pool first.")]}
            )
        if reviewer.pk in pool.taken[application.pk]:
            raise RuleViolation({"reviewer": [_("This reviewer was already assigned here.")]})
        reason = pool.exclusion(entry, application.pk)
        if reason:
            raise RuleViolation({"reviewer": [reason]})
        assignment = ReviewAssignment.objects.create(
            application=application,
            reviewer=reviewer,
            due_at=_due_at(call, timezone.now()),
            assigned_by=actor,
        )
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.state == Application.State.ELIGIBLE:
            transition_perform(obj=locked, name="start_review", actor=actor)
        elif locked.state == Application.State.MODERATION:
            transition_perform(
                obj=locked,
                name="resume_review",
                actor=actor,
                comment=_("A further reviewer was added by the moderator."),
            )
    return assignment


# The registry of an assignment's transitions, ASSIGNMENT_TRANSITIONS, is in
# applications.services.moderation, with the moderator's reopening.


def assignment_declare(
    *, assignment: ReviewAssignment, actor, conflict: bool, reason: str = ""
) -> ReviewAssignment:
    """The reviewer's conflict-of-interest declaration. A conflict recuses the assignment and
    the application gets a replacement reviewer from the pool."""
    if conflict and not (reason or "").strip():
        raise RuleViolation({"reason": [_("Describe the conflict of interest.")]})
    with transaction.atomic():
        assignment = (
            ReviewAssignment.objects.select_for_update()
            .select_related("application__call")
            .get(pk=assignment.pk)
        )
        name = "declare_conflict" if conflict else "declare_no_conflict"
        assignment.declared_at = timezone.now()
        assignment.conflict_reason = reason.strip() if conflict else ""
        transition_perform(obj=assignment, name=name, actor=actor, comment=reason)
    if conflict:
        _replace(assignment)
    return assignment


def assignment_decline(
    *, assignment: ReviewAssignment, actor, reason: str = ""
) -> ReviewAssignment:
    with transaction.atomic():
        assignment = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
        transition_perform(obj=assignment, name="decline", actor=actor, comment=reason)
    _replace(assignment)
    return assignment


def _replace(assignment: ReviewAssignment) -> None:
    """Fill the gap a recusal leaves, as the manager who made the assignment (or the system)."""
    call = assignment.application.call
    manager = assignment.assigned_by
    if manager is None or not grant_policies.is_programme_manager(
        user=manager, programme_id=call.programme_id
    ):
        return
    assignments_auto_assign(call=call, actor=manager, application_ids=[assignment.application_id])


def score_parse(raw, criterion: Criterion, step: Decimal, errors: dict) -> Decimal | None:
    """A score as typed, checked against the criterion's range and the call's step; problems
    go into `errors` under the score's key. Used for reviews and for consensus scores."""
    if raw in (None, ""):
        return None  # blank stays blank: never counted as zero
    key = f"scores.{criterion.pk}.score"
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        errors.setdefault(key, []).append(_("Enter a number."))
        return None
    if not value.is_finite() or value < 0 or value > criterion.max_score:
        errors.setdefault(key, []).append(
            _("“%(c)s” is scored from 0 to %(max)s.")
            % {"c": criterion.title, "max": plain(criterion.max_score)}
        )
    elif step and value % step != 0:
        errors.setdefault(key, []).append(
            _("“%(c)s” is scored in steps of %(step)s.")
            % {"c": criterion.title, "step": plain(step)}
        )
    return value


def review_save(
    *,
    assignment: ReviewAssignment,
    actor,
    scores: Mapping[int, Mapping] | None = None,
    overall_comment: str | None = None,
    recommendation: str | None = None,
    version: int | None = None,
) -> Review:
    """Save a review in progress (autosave). Scores are validated; blanks stay blank."""
    with transaction.atomic():
        assignment = (
            ReviewAssignment.objects.select_for_update()
            .select_related("application__call")
            .get(pk=assignment.pk)
        )
        if assignment.reviewer_id != actor.pk:
            raise NotPermitted(_("Only the assigned reviewer can score."))
        if assignment.state not in (
            ReviewAssignment.State.ACCEPTED,
            ReviewAssignment.State.REOPENED,
        ):
            raise TransitionConflict(
                _("This review is “%(s)s” and cannot be changed.")
                % {"s": assignment.get_state_display()},
                code="not_editable",
            )
        review, _created = Review.objects.get_or_create(assignment=assignment)
        if version is not None and int(version) != review.version:
            raise TransitionConflict(
                _("This review was saved elsewhere after you opened it; reload to continue."),
                code="stale_version",
            )
        call = assignment.application.call
        criteria = {c.pk: c for c in call.criteria.all()}
        errors: dict[str, list[str]] = {}
        cleaned = {}
        for criterion_id, entry in (scores or {}).items():
            criterion = criteria.get(int(criterion_id))
            if criterion is None:
                errors.setdefault("scores", []).append(
                    _("Unknown criterion %(id)s.") % {"id": criterion_id}
                )
                continue
            cleaned[criterion.pk] = (
                score_parse(entry.get("score"), criterion, call.score_step, errors),
                (entry.get("comment") or "").strip(),
                "score" in entry,
                "comment" in entry,
            )
        if recommendation not in (None, "") and recommendation not in Review.Recommendation.values:
            errors["recommendation"] = [_("Choose a recommendation.")]
        if errors:
            raise RuleViolation(errors)
        existing = {s.criterion_id: s for s in review.scores.all()}
        for criterion_id, (value, comment, has_score, has_comment) in cleaned.items():
            row = existing.get(criterion_id) or Score(review=review, criterion_id=criterion_id)
            if has_score:
                row.score = value
            if has_comment:
                row.comment = comment
            row.save()
        if overall_comment is not None:
            review.overall_comment = overall_comment.strip()
        if recommendation is not None:
            review.recommendation = recommendation
        review.version += 1
        review.save()
    return review


def review_submit(*, assignment: ReviewAssignment, actor) -> ReviewAssignment:
    """Lock the review: every criterion scored, comments where required, a recommendation.
    When the application's reviews are all in, it becomes `reviewed` — or goes to
    `moderation` when the totals diverge beyond the call's threshold."""
    with transaction.atomic():
        assignment = (
            ReviewAssignment.objects.select_for_update()
            .select_related("application__call")
            .get(pk=assignment.pk)
        )
        if assignment.reviewer_id != actor.pk:
            raise NotPermitted(_("Only the assigned reviewer can submit this review."))
        call = assignment.application.call
        review = Review.objects.filter(assignment=assignment).first()
        scores = {s.criterion_id: s for s in review.scores.all()} if review else {}
        errors: dict[str, list[str]] = {}
        for criterion in call.criteria.all():
            score = scores.get(criterion.pk)
            if score is None or score.score is None:
                errors.setdefault(f"scores.{criterion.pk}.score", []).append(
                    _("Score “%(c)s”.") % {"c": criterion.title}
                )
            if call.comments_required and (score is None or not score.comment):
                errors.setdefault(f"scores.{criterion.pk}.comment", []).append(
                    _("Comment on “%(c)s”.") % {"c": criterion.title}
                )
        if review is None or not review.recommendation:
            errors["recommendation"] = [_("Choose a recommendation.")]
        if errors and assignment.state in (
            ReviewAssignment.State.ACCEPTED,
            ReviewAssignment.State.REOPENED,
        ):
            raise RuleViolation(errors, detail=_("The review is not complete yet."))
        assignment.submitted_at = timezone.now()
        transition_perform(obj=assignment, name="submit", actor=actor)
        _application_after_review(assignment.application_id, actor)
    return assignment


def review_totals(application_id: int) -> list[Decimal]:
    """Weighted total (0–100) of each submitted review of an application."""
    from applications.selectors.ranking import review_totals_for

    return [row["total"] for row in review_totals_for(application_ids=[application_id])]


def _application_after_review(application_id: int, actor) -> None:
    application = (
        Application.objects.select_for_update().select_related("call").get(pk=application_id)
    )
    if application.state != Application.State.IN_REVIEW:
        return
    states = list(application.assignments.values_list("state", flat=True))
    submitted = states.count(ReviewAssignment.State.SUBMITTED)
    pending = sum(
        s
        in (
            ReviewAssignment.State.INVITED,
            ReviewAssignment.State.ACCEPTED,
            ReviewAssignment.State.REOPENED,
        )
        for s in states
    )
    needed = application.call.reviewers_per_application
    if pending or submitted < needed:
        return
    totals = review_totals(application.pk)
    threshold = application.call.divergence_threshold_percent / 100
    # Divergence is judged once, on the first complete set of reviews; a further reviewer
    # added by the moderator settles it (their review joins the mean).
    diverges = (
        submitted == needed
        and len(totals) >= 2
        and max(totals) - min(totals) > threshold * max(totals)
        and not application.consensus_scores.exists()
    )
    transition_perform(
        obj=application,
        name="send_to_moderation" if diverges else "complete_review",
        actor=actor,
        check_permission=False,
        comment=_("Reviewers diverge: %(t)s") % {"t": ", ".join(f"{t:.1f}" for t in totals)}
        if diverges
        else "",
    )


def call_reviewer_add(
    *,
    call: Call,
    actor,
    email: str,
    full_name: str = "",
    country: str = "",
    capacity: int | None = None,
    is_external: bool | None = None,
) -> CallReviewer:
    """Add a person to the call's reviewer pool by e-mail. Someone without an account (an
    external expert) gets one with an unusable password: they set it from the invitation
    the caller sends (see `reviewer_invite_needed`), so nobody else ever knows it."""
    from django.contrib.auth import get_user_model

    require(grant_policies.can_manage_call, user=actor, call=call)
    email = (email or "").strip().lower()
    if not email:
        raise RuleViolation({"email": [_("Enter the reviewer's e-mail address.")]})
    if capacity is not None and capacity < 0:
        raise RuleViolation({"capacity": [_("The maximum cannot be negative.")]})
    User = get_user_model()
    with transaction.atomic():
        # The call's row orders this against a running auto-assignment.
        Call.objects.select_for_update().get(pk=call.pk)
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=None, full_name=full_name.strip())
        elif CallReviewer.objects.filter(call=call, user=user).exists():
            raise RuleViolation({"email": [_("This person is already in the reviewer pool.")]})
        if is_external is None:
            is_external = not grant_policies.is_programme_staff(
                user=user, programme_id=call.programme_id
            )
        return CallReviewer.objects.create(
            call=call, user=user, country=country, capacity=capacity, is_external=is_external
        )


def reviewer_invite_needed(link: CallReviewer) -> bool:
    """A reviewer who cannot log in yet (no password set) needs an invitation."""
    return link.user.is_active and not link.user.has_usable_password()


def call_reviewer_remove(*, link: CallReviewer, actor) -> None:
    """Take a reviewer out of the pool. Refused while they still hold open assignments on
    the call (withdraw those first); submitted reviews stay, they are part of the record."""
    call = link.call
    require(grant_policies.can_manage_call, user=actor, call=call)
    with transaction.atomic():
        Call.objects.select_for_update().get(pk=call.pk)
        open_count = open_assignments_on_call(call=call, reviewer_ids=[link.user_id]).count()
        if open_count:
            raise TransitionConflict(
                _("This reviewer still has %(n)d open assignments on the call.")
                % {"n": open_count},
                code="has_open_assignments",
            )
        CallReviewer.objects.filter(pk=link.pk).delete()
