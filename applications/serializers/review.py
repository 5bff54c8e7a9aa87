"""Shapes of review and selection on the API: assignments, reviews, the ranking, the reviewer
analysis, consensus and award lists. Serializers only check that input is well-formed; the
rules (score range and step, complete reviews, budget, maker–checker) live in
applications.services.review, which answers every problem at once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from applications.models import (
    Application,
    Attachment,
    AwardList,
    AwardListItem,
    Partner,
    Review,
    ReviewAssignment,
    budget_totals,
)
from applications.selectors.applications import applications_visible_to
from applications.selectors.review import calls_for_review_management, shows_applicant
from applications.serializers.applications import BudgetLineSerializer, BudgetTotalsSerializer
from applications.services.awards import AWARD_LIST_ACTIONS, AWARD_LIST_TRANSITIONS
from applications.services.moderation import ASSIGNMENT_ACTIONS, ASSIGNMENT_TRANSITIONS
from grants.models import MONEY, Call, CallReviewer
from grants.policies import is_programme_staff, roles_of
from grants.roles import ProgrammeRoleName
from grants.serializers.calls import CriterionSerializer
from grants.serializers.common import TransitionsField, request_user
from grants.serializers.organisations import OrganisationSummarySerializer

SCORE = {"max_digits": 6, "decimal_places": 2}


class ActionsField(TransitionsField):
    """The transitions the requesting user may call now, named as the API's actions
    (POST …/<id>/<action>/): the transition's own name unless `actions` renames it. `of` names
    the attribute holding the stateful object."""

    def __init__(
        self, transitions: Iterable[str], actions: Mapping[str, str], of: str = "", **kwargs
    ):
        self.actions = actions
        self.of = of
        super().__init__(exposed=transitions, **kwargs)

    def to_representation(self, obj) -> list[str]:
        names = super().to_representation(getattr(obj, self.of) if self.of else obj)
        return list(dict.fromkeys(self.actions.get(name, name) for name in names))


# The same choice sets appear in several components under the name "state": point at the one
# enum each already has instead of letting drf-spectacular invent colliding names.
@extend_schema_field({"$ref": "#/components/schemas/ApplicationStateEnum", "readOnly": True})
class ApplicationStateField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Application.State.choices, read_only=True, **kwargs)


@extend_schema_field({"$ref": "#/components/schemas/AssignmentStateEnum", "readOnly": True})
class AssignmentStateField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=ReviewAssignment.State.choices, read_only=True, **kwargs)


def _sees_applicant(serializer: serializers.Field, assignment: ReviewAssignment) -> bool:
    # Blind review hides the applicant from reviewers, not from the programme's staff.
    return shows_applicant(assignment) or is_programme_staff(
        user=request_user(serializer), programme_id=assignment.application.call.programme_id
    )


# Assignments --------------------------------------------------------------------------


class AssignmentSerializer(serializers.ModelSerializer):
    """An assignment as its reviewer and the programme's staff read it: never the content."""

    available_transitions = ActionsField(ASSIGNMENT_TRANSITIONS, ASSIGNMENT_ACTIONS)
    call = serializers.IntegerField(source="application.call_id", read_only=True)
    call_title = serializers.CharField(source="application.call.title", read_only=True)
    application_title = serializers.CharField(source="application.title", read_only=True)
    application_reference = serializers.CharField(
        source="application.reference", read_only=True, allow_null=True
    )
    applicant = serializers.SerializerMethodField(
        help_text="The applicant organisation; null for reviewers when the call is blind."
    )
    reviewer_name = serializers.CharField(source="reviewer.display_name", read_only=True)
    scored = serializers.IntegerField(read_only=True, help_text="Criteria scored so far.")
    criteria_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ReviewAssignment
        fields = [
            "id",
            "state",
            "available_transitions",
            "due_at",
            "call",
            "call_title",
            "application",
            "application_title",
            "application_reference",
            "applicant",
            "reviewer",
            "reviewer_name",
            "scored",
            "criteria_count",
            "declared_at",
            "conflict_reason",
            "submitted_at",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OrganisationSummarySerializer(allow_null=True))
    def get_applicant(self, assignment: ReviewAssignment) -> dict | None:
        if not _sees_applicant(self, assignment):
            return None
        return OrganisationSummarySerializer(assignment.application.organisation).data


class AssignmentCreateSerializer(serializers.Serializer):
    application = serializers.PrimaryKeyRelatedField(
        queryset=Application.objects.none(), help_text="An eligible application in review."
    )
    reviewer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), help_text="A user in the call's reviewer pool."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "request" in self.context:
            user = request_user(self)
            staffed = roles_of(user).programmes_with(ProgrammeRoleName.MANAGER)
            # Only ids the caller may know of: their programmes' applications and pools.
            self.fields["application"].queryset = applications_visible_to(user)
            self.fields["reviewer"].queryset = User.objects.filter(
                pk__in=CallReviewer.objects.filter(call__programme_id__in=staffed).values("user_id")
            )


class DeclarationSerializer(serializers.Serializer):
    conflict = serializers.BooleanField(
        help_text="true: a conflict of interest (the assignment is recused and a replacement "
        "is assigned); false: no conflict (the application's content opens)."
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required with a conflict."
    )


class AutoAssignResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Assignments created; 0 when nothing was missing.")


# The application, as its reviewer reads it ------------------------------------------


class ReviewerAnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question_id")
    label = serializers.CharField(source="question.label")
    value = serializers.CharField()


def reviewer_file_name(assignment: ReviewAssignment, attachment: Attachment) -> str:
    """File names often carry the organisation's name: neutral ones in blind review."""
    if shows_applicant(assignment):
        return attachment.original_name
    return f"attachment-{attachment.pk}{Path(attachment.original_name).suffix.lower()}"


class ReviewerAttachmentSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField(help_text="A neutral name in blind review.")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "question", "name", "content_type", "size", "download_url"]
        read_only_fields = fields

    def get_name(self, attachment: Attachment) -> str:
        return reviewer_file_name(self.context["assignment"], attachment)

    def get_download_url(self, attachment: Attachment) -> str:
        return self.context["request"].build_absolute_uri(
            reverse(
                "assignment-attachment",
                kwargs={"pk": self.context["assignment"].pk, "attachment_id": attachment.pk},
            )
        )


class ReviewerPartnerSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField(
        help_text="The partner's name; “Partner 1”, “Partner 2”… in blind review."
    )
    organisation = serializers.SerializerMethodField(help_text="null in blind review.")

    class Meta:
        model = Partner
        fields = ["id", "label", "organisation", "role"]
        read_only_fields = fields

    def _blind(self) -> bool:
        return not shows_applicant(self.context["assignment"])

    def get_label(self, partner: Partner) -> str:
        if self._blind():
            return _("Partner %(n)d") % {"n": self.context["partner_numbers"][partner.pk]}
        return partner.organisation.legal_name

    @extend_schema_field(OrganisationSummarySerializer(allow_null=True))
    def get_organisation(self, partner: Partner) -> dict | None:
        if self._blind():
            return None
        return OrganisationSummarySerializer(partner.organisation).data


class ReviewerApplicationSerializer(serializers.ModelSerializer):
    """The content a reviewer scores, once they declared no conflict of interest. In blind
    review the applicant, the partners' identity and file names are left out."""

    call_title = serializers.CharField(source="call.title", read_only=True)
    currency = serializers.CharField(source="call.programme.currency", read_only=True)
    organisation = serializers.SerializerMethodField(
        help_text="The applicant; null when the call is blind."
    )
    answers = serializers.SerializerMethodField()
    totals = serializers.SerializerMethodField()
    budget_lines = BudgetLineSerializer(many=True, read_only=True)
    partners = serializers.SerializerMethodField()
    attachments = ReviewerAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "reference",
            "title",
            "call",
            "call_title",
            "currency",
            "organisation",
            "submitted_at",
            "answers",
            "totals",
            "budget_lines",
            "partners",
            "attachments",
        ]
        read_only_fields = fields

    @extend_schema_field(OrganisationSummarySerializer(allow_null=True))
    def get_organisation(self, application: Application) -> dict | None:
        if not shows_applicant(self.context["assignment"]):
            return None
        return OrganisationSummarySerializer(application.organisation).data

    @extend_schema_field(ReviewerAnswerSerializer(many=True))
    def get_answers(self, application: Application) -> list[dict]:
        answers = sorted(application.answers.all(), key=lambda a: (a.question.order, a.question_id))
        return ReviewerAnswerSerializer(answers, many=True).data

    @extend_schema_field(BudgetTotalsSerializer)
    def get_totals(self, application: Application) -> dict:
        return BudgetTotalsSerializer(budget_totals(application.budget_lines.all())).data

    @extend_schema_field(ReviewerPartnerSerializer(many=True))
    def get_partners(self, application: Application) -> list[dict]:
        partners = list(application.partners.all())
        context = {
            **self.context,
            "partner_numbers": {p.pk: n for n, p in enumerate(partners, start=1)},
        }
        return ReviewerPartnerSerializer(partners, many=True, context=context).data


# Reviews ------------------------------------------------------------------------------


class ReviewScoreSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    weight = serializers.DecimalField(**SCORE)
    max_score = serializers.DecimalField(**SCORE)
    score = serializers.DecimalField(
        **SCORE, allow_null=True, help_text="null: not scored yet (never counted as zero)."
    )
    comment = serializers.CharField(allow_blank=True)


class ReviewSerializer(serializers.ModelSerializer):
    """A reviewer's review: one row per criterion of the call, scored or not. Its state is
    the assignment's; submitting locks it."""

    assignment = serializers.IntegerField(source="assignment_id", read_only=True)
    state = AssignmentStateField(source="assignment.state")
    available_transitions = ActionsField(
        ASSIGNMENT_TRANSITIONS, ASSIGNMENT_ACTIONS, of="assignment"
    )
    editable = serializers.SerializerMethodField()
    score_step = serializers.DecimalField(
        source="assignment.application.call.score_step", max_digits=4, decimal_places=2
    )
    comments_required = serializers.BooleanField(
        source="assignment.application.call.comments_required"
    )
    scores = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "assignment",
            "state",
            "available_transitions",
            "editable",
            "version",
            "score_step",
            "comments_required",
            "scores",
            "overall_comment",
            "recommendation",
            "updated_at",
        ]
        read_only_fields = fields

    def get_editable(self, review: Review) -> bool:
        return review.assignment.state in (
            ReviewAssignment.State.ACCEPTED,
            ReviewAssignment.State.REOPENED,
        )

    @extend_schema_field(ReviewScoreSerializer(many=True))
    def get_scores(self, review: Review) -> list[dict]:
        given = {s.criterion_id: s for s in review.scores.all()} if review.pk else {}
        rows = []
        for criterion in review.assignment.application.call.criteria.all():
            score = given.get(criterion.pk)
            rows.append(
                {
                    "criterion": criterion.pk,
                    "title": criterion.title,
                    "description": criterion.description,
                    "weight": criterion.weight,
                    "max_score": criterion.max_score,
                    "score": score.score if score else None,
                    "comment": score.comment if score else "",
                }
            )
        return ReviewScoreSerializer(rows, many=True).data


class ReviewScoreInputSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(help_text="The id of one of the call's criteria.")
    # Kept raw: the service checks the range and the call's step, and keys its errors by
    # criterion ("scores.<criterion id>.score"), whatever the order of the list.
    score = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text='A decimal such as "4.5"; null or "" clears it (blank is never zero). '
        "Leave the key out to keep the saved score.",
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, help_text="Leave the key out to keep the saved one."
    )


class ReviewUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1,
        help_text="The version you last read. If the review was saved since, nothing is "
        "written and the answer is 409 stale_version.",
    )
    scores = ReviewScoreInputSerializer(many=True, required=False)
    overall_comment = serializers.CharField(required=False, allow_blank=True)
    recommendation = serializers.ChoiceField(
        choices=Review.Recommendation.choices, required=False, allow_blank=True
    )


class OtherScoreSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(source="criterion_id")
    criterion_title = serializers.CharField(source="criterion.title")
    score = serializers.DecimalField(**SCORE, allow_null=True)
    comment = serializers.CharField()


class OtherReviewSerializer(serializers.Serializer):
    """Another reviewer's submitted review, without who wrote it."""

    label = serializers.CharField(help_text="“Reviewer 1”, “Reviewer 2”…: never a name.")
    scores = OtherScoreSerializer(many=True, source="review.scores.all")
    overall_comment = serializers.CharField(source="review.overall_comment")
    recommendation = serializers.ChoiceField(
        source="review.recommendation", choices=Review.Recommendation.choices
    )


# Ranking ------------------------------------------------------------------------------


class RankingScoreSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    value = serializers.DecimalField(
        **SCORE, allow_null=True, help_text="Mean of the submitted reviews, or the consensus."
    )
    consensus = serializers.BooleanField(help_text="The moderator's consensus score.")


class RankingRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True, help_text="null while still in review.")
    application = serializers.IntegerField(source="application.pk")
    reference = serializers.CharField(source="application.reference", allow_null=True)
    title = serializers.CharField(source="application.title")
    applicant = serializers.CharField(source="application.organisation.legal_name")
    country = serializers.CharField(source="application.organisation.country")
    state = ApplicationStateField(source="application.state")
    requested = serializers.DecimalField(**MONEY)
    review_count = serializers.IntegerField(help_text="Submitted reviews.")
    scores = serializers.SerializerMethodField()
    total = serializers.DecimalField(**SCORE, allow_null=True, help_text="Weighted, 0–100.")
    failed = serializers.ListField(
        child=serializers.CharField(), help_text="Thresholds not met: criteria, overall pass mark."
    )
    passed = serializers.BooleanField()
    proposal = serializers.ChoiceField(
        choices=["award", "reserve", "reject", "awarded", "pending"],
        help_text="Where the funding line puts it.",
    )

    @extend_schema_field(RankingScoreSerializer(many=True))
    def get_scores(self, row) -> list[dict]:
        rows = [
            {"criterion": c.pk, "value": row.scores[c.pk], "consensus": c.pk in row.consensus}
            for c in self.context["criteria"]
        ]
        return RankingScoreSerializer(rows, many=True).data


class RankingSerializer(serializers.Serializer):
    """The ranked applications of a call with the funding line (read-only)."""

    call = serializers.IntegerField(source="call.pk")
    currency = serializers.CharField(source="call.currency")
    budget = serializers.DecimalField(**MONEY)
    already_awarded = serializers.DecimalField(**MONEY)
    proposed_total = serializers.DecimalField(**MONEY)
    remaining = serializers.DecimalField(**MONEY)
    tie_break = serializers.CharField()
    criteria = CriterionSerializer(many=True)
    rows = RankingRowSerializer(many=True)


class ReviewerProfileSerializer(serializers.Serializer):
    reviewer = serializers.IntegerField(source="reviewer_id")
    reviewer_name = serializers.CharField()
    reviews = serializers.IntegerField()
    mean = serializers.DecimalField(**SCORE, help_text="Mean total of their reviews (0–100).")
    stdev = serializers.DecimalField(**SCORE)
    tendency = serializers.ChoiceField(choices=["harsh", "lenient", "neutral"])


class NormalisedApplicationSerializer(serializers.Serializer):
    application = serializers.IntegerField(source="application_id")
    raw_mean = serializers.DecimalField(**SCORE)
    normalised_mean = serializers.DecimalField(**SCORE)
    shift = serializers.DecimalField(**SCORE)


class ReviewerAnalysisSerializer(serializers.Serializer):
    """Reviewers' scores as z-scores over their own reviews: an analysis, never the ranking."""

    reviewers = ReviewerProfileSerializer(many=True)
    applications = NormalisedApplicationSerializer(many=True)


# Moderation ---------------------------------------------------------------------------


class ConsensusScoreInputSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(help_text="The id of one of the call's criteria.")
    score = serializers.CharField(allow_null=True, allow_blank=True, help_text='e.g. "4.5".')
    justification = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when the score differs from the mean of the reviews.",
    )


class ConsensusSerializer(serializers.Serializer):
    scores = ConsensusScoreInputSerializer(many=True, help_text="One per criterion of the call.")


# Award lists --------------------------------------------------------------------------


class AwardListItemSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(source="application.reference", read_only=True)
    title = serializers.CharField(source="application.title", read_only=True)
    applicant = serializers.CharField(source="application.organisation.legal_name", read_only=True)

    class Meta:
        model = AwardListItem
        fields = [
            "application",
            "reference",
            "title",
            "applicant",
            "rank",
            "total_score",
            "outcome",
            "amount",
            "amount_reason",
            "feedback",
        ]
        read_only_fields = fields


class AwardListSerializer(serializers.ModelSerializer):
    """An award list: proposed by a manager, approved or returned by someone else."""

    available_transitions = ActionsField(AWARD_LIST_TRANSITIONS, AWARD_LIST_ACTIONS)
    call_title = serializers.CharField(source="call.title", read_only=True)
    currency = serializers.CharField(source="call.currency", read_only=True)
    proposed_by_name = serializers.CharField(source="proposed_by.display_name", read_only=True)
    decided_by_name = serializers.CharField(
        source="decided_by.display_name", read_only=True, allow_null=True
    )
    award_total = serializers.SerializerMethodField(help_text="Sum of the awarded amounts.")
    items = AwardListItemSerializer(many=True, read_only=True)

    class Meta:
        model = AwardList
        fields = [
            "id",
            "call",
            "call_title",
            "currency",
            "state",
            "available_transitions",
            "proposed_by",
            "proposed_by_name",
            "proposed_at",
            "decided_by",
            "decided_by_name",
            "decided_at",
            "comment",
            "award_total",
            "items",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_award_total(self, award_list: AwardList) -> str:
        total = sum(
            (i.amount for i in award_list.items.all() if i.outcome == "award" and i.amount),
            start=0,
        )
        return f"{total:.2f}"


class AwardAdjustmentSerializer(serializers.Serializer):
    application = serializers.IntegerField(help_text="An application proposed for an award.")
    amount = serializers.DecimalField(**MONEY, help_text="Lower than requested, never higher.")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AwardListProposeSerializer(serializers.Serializer):
    call = serializers.PrimaryKeyRelatedField(
        queryset=Call.objects.none(), help_text="A call in review that you manage."
    )
    adjustments = AwardAdjustmentSerializer(many=True, required=False, default=list)
    comment = serializers.CharField(required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "request" in self.context:
            self.fields["call"].queryset = calls_for_review_management(request_user(self))


class AwardListReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(help_text="What should change; kept in the history.")
