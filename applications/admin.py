"""Admin for operators: applications and reviews are read-only here (applicants and reviewers
write them through the services, which keep versions and rules); their transitions run the same
services as the pages and the API, so every change is checked and logged."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from applications.models import (
    Answer,
    Application,
    Attachment,
    AwardList,
    AwardListItem,
    BudgetLine,
    ClarificationRequest,
    ConsensusScore,
    Partner,
    Review,
    ReviewAssignment,
    Score,
)
from applications.selectors.review import open_assignments_on_call
from applications.services.awards import AWARD_LIST_TRANSITIONS
from applications.services.moderation import ASSIGNMENT_TRANSITIONS
from applications.services.screening import APPLICATION_TRANSITIONS
from grants.admin import CallAdmin
from grants.models import CallReviewer
from grants.templatetags.money import format_money
from workflows.admin import (
    CommentForm,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    ServiceTransitionsMixin,
    services_for_admin,
    transition_history,
)


class IneligibleForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it not eligible?"),
        help_text=_("The applicant sees this."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ClarificationForm(forms.Form):
    question = forms.CharField(
        label=_("Question for the applicant"), widget=forms.Textarea(attrs={"rows": 4})
    )
    response_due_at = forms.DateTimeField(
        label=_("Answer due by"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["response_due_at"].help_text = _("Time in %(zone)s.") % {
            "zone": timezone.get_current_timezone_name()
        }


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 4}))


class AnswerInline(ReadOnlyInline):
    model = Answer
    fields = ("question", "value", "updated_at")


class BudgetLineInline(ReadOnlyInline):
    model = BudgetLine
    fields = ("category", "description", "amount_requested", "own_contribution")


class PartnerInline(ReadOnlyInline):
    model = Partner
    fk_name = "application"
    fields = ("organisation", "role")


class AttachmentInline(ReadOnlyInline):
    # The file itself is not linked: uploads are served only by the view that checks access.
    model = Attachment
    fields = ("original_name", "question", "content_type", "size", "uploaded_by", "uploaded_at")


class ClarificationRequestInline(ReadOnlyInline):
    model = ClarificationRequest
    fields = ("question", "response_due_at", "asked_by", "asked_at", "answer", "answered_at")


class ReviewAssignmentInline(ReadOnlyInline):
    model = ReviewAssignment
    fields = ("reviewer", "state", "due_at", "declared_at", "submitted_at")
    show_change_link = True


@admin.register(Application)
class ApplicationAdmin(ServiceTransitionsMixin, admin.ModelAdmin):
    transition_services = services_for_admin(APPLICATION_TRANSITIONS, "application")
    fsm_forms = {
        "mark_ineligible": IneligibleForm,
        "request_clarification": ClarificationForm,
        "resubmit": AnswerForm,
    }
    list_display = ("__str__", "title", "organisation", "call", "state", "submitted_at")
    list_filter = ("state", "call__programme", "call")
    list_select_related = ("organisation", "call")
    search_fields = ("reference", "title", "organisation__legal_name", "organisation__short_name")
    date_hierarchy = "submitted_at"
    fields = (
        "reference",
        "title",
        "call",
        "organisation",
        "state",
        "submitted_at",
        "eligibility_reason",
        "screened_by",
        "screened_at",
        "version",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
        "history",
    )
    readonly_fields = fields
    inlines = (
        AnswerInline,
        BudgetLineInline,
        PartnerInline,
        AttachmentInline,
        ClarificationRequestInline,
        ReviewAssignmentInline,
    )

    def has_add_permission(self, request) -> bool:
        return False  # applicants create applications, through the service

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # withdrawn, never deleted: the log and the receipt refer to it

    def save_model(self, request, obj, form, change) -> None:
        # Every field is read-only: the change form is only the carrier of a transition button,
        # and saving the row would bump updated_at for nothing.
        pass

    @admin.display(description=_("transition log"))
    def history(self, obj) -> str:
        return transition_history(obj)


# Review and selection ---------------------------------------------------------------------


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ServiceTransitionsMixin, admin.ModelAdmin):
    # Declaring a conflict (or none) and declining are the reviewer's own acts, made on their
    # own pages: never offered to operators. A moderator may reopen a submitted review.
    transition_services = services_for_admin(ASSIGNMENT_TRANSITIONS, "assignment", only=("reopen",))
    transition_labels = {"reopen": _("Reopen the review")}
    fsm_forms = {"reopen": CommentForm}
    list_display = (
        "application",
        "reviewer",
        "call",
        "state",
        "due_at",
        "declared_at",
        "submitted_at",
    )
    list_filter = ("state", "application__call__programme", "application__call")
    list_select_related = ("application__call", "reviewer")
    search_fields = (
        "reviewer__email",
        "reviewer__full_name",
        "application__reference",
        "application__title",
    )
    date_hierarchy = "due_at"
    fields = (
        "application",
        "call",
        "reviewer",
        "state",
        "due_at",
        "assigned_by",
        "created_at",
        "declared_at",
        "conflict_reason",
        "submitted_at",
        "review_link",
        "history",
    )
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False  # assigned by the manager's pages and the API, under the exclusion rules

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a recusal or a submitted review is part of the record

    def save_model(self, request, obj, form, change) -> None:
        pass  # read-only: the change form only carries the transition buttons

    @admin.display(description=_("call"), ordering="application__call__title")
    def call(self, obj) -> str:
        return str(obj.application.call)

    @admin.display(description=_("review"))
    def review_link(self, obj) -> str:
        review = Review.objects.filter(assignment=obj).only("pk").first()
        if review is None:
            return "—"
        url = reverse("admin:applications_review_change", args=[review.pk])
        return format_html('<a href="{}">{}</a>', url, _("Scores and comments"))

    @admin.display(description=_("transition log"))
    def history(self, obj) -> str:
        return transition_history(obj)


class ScoreInline(ReadOnlyInline):
    model = Score
    fields = ("criterion", "score", "comment")


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("assignment", "call", "assignment_state", "recommendation", "updated_at")
    list_filter = (
        "recommendation",
        "assignment__state",
        "assignment__application__call",
    )
    list_select_related = ("assignment__reviewer", "assignment__application__call")
    search_fields = (
        "assignment__reviewer__email",
        "assignment__application__reference",
        "assignment__application__title",
    )
    fields = ("assignment", "recommendation", "overall_comment", "version", "updated_at")
    readonly_fields = fields
    inlines = (ScoreInline,)

    @admin.display(description=_("call"), ordering="assignment__application__call__title")
    def call(self, obj) -> str:
        return str(obj.assignment.application.call)

    @admin.display(description=_("assignment state"), ordering="assignment__state")
    def assignment_state(self, obj) -> str:
        return obj.assignment.get_state_display()


@admin.register(ConsensusScore)
class ConsensusScoreAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("application", "criterion", "score", "moderator", "created_at")
    list_filter = ("application__call",)
    list_select_related = ("application", "criterion", "moderator")
    search_fields = ("application__reference", "application__title")
    fields = ("application", "criterion", "score", "justification", "moderator", "created_at")
    readonly_fields = fields


class ReturnForm(CommentForm):
    comment = forms.CharField(
        label=_("What should change?"),
        help_text=_("The programme manager who proposed the list reads this."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AwardListItemInline(ReadOnlyInline):
    model = AwardListItem
    fields = (
        "rank",
        "application",
        "total_score",
        "outcome",
        "amount",
        "amount_reason",
        "feedback",
    )


@admin.register(AwardList)
class AwardListAdmin(ServiceTransitionsMixin, admin.ModelAdmin):
    """Maker–checker: a programme manager proposes the list (on the decision page); an approver
    of the programme who did not propose it approves or returns it — here too, through the
    same services."""

    transition_services = services_for_admin(AWARD_LIST_TRANSITIONS, "award_list")
    transition_labels = {"approve": _("Approve"), "return_for_changes": _("Return for changes")}
    fsm_forms = {"return_for_changes": ReturnForm}
    fsm_transition_not_allowed_msg = _(
        "“{transition_name}” needs the approver role of the programme, held by someone other "
        "than the person who proposed the list."
    )
    not_permitted_hint = _(
        "Maker–checker: the list is decided by an approver of the programme who did not propose it."
    )
    list_display = (
        "call",
        "state",
        "proposed_by",
        "proposed_at",
        "decided_by",
        "decided_at",
        "to_award",
    )
    list_filter = ("state", "call__programme", "call")
    list_select_related = ("call__programme", "proposed_by", "decided_by")
    search_fields = ("call__title", "call__programme__title")
    date_hierarchy = "proposed_at"
    fields = (
        "call",
        "state",
        "proposed_by",
        "proposed_at",
        "comment",
        "to_award",
        "call_budget",
        "decided_by",
        "decided_at",
        "history",
    )
    readonly_fields = fields
    inlines = (AwardListItemInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                award_sum=Sum("items__amount", filter=Q(items__outcome=AwardListItem.Outcome.AWARD))
            )
        )

    def has_add_permission(self, request) -> bool:
        return False  # proposed from the ranking, by the service

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        pass  # read-only: the change form only carries the transition buttons

    @admin.display(description=_("to award"), ordering="award_sum")
    def to_award(self, obj) -> str:
        return format_money(obj.award_sum or 0, obj.call.programme.currency)

    @admin.display(description=_("call budget"))
    def call_budget(self, obj) -> str:
        return format_money(obj.call.budget, obj.call.programme.currency)

    @admin.display(description=_("transition log"))
    def history(self, obj) -> str:
        return transition_history(obj)


class CallReviewerFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        # The rule of call_reviewer_remove: not while they hold open work on the call.
        super().clean()
        removed = [
            form.instance.user_id
            for form in self.forms
            if form.instance.pk and self._should_delete_form(form)
        ]
        busy = (
            open_assignments_on_call(call=self.instance, reviewer_ids=removed)
            .values_list("reviewer__email", flat=True)
            .distinct()
        )
        if removed and busy:
            raise forms.ValidationError(
                _("These reviewers still hold open assignments on this call: %(who)s.")
                % {"who": ", ".join(sorted(busy))}
            )


class CallReviewerInline(admin.TabularInline):
    model = CallReviewer
    formset = CallReviewerFormSet
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "country", "capacity", "is_external", "added_at")
    readonly_fields = ("added_at",)


# The call's admin page (grants) shows its reviewer pool; the pool's rules are review's.
CallAdmin.inlines = (*CallAdmin.inlines, CallReviewerInline)
