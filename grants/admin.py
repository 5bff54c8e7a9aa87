"""Admin for operators (the main UI is elsewhere): organisations, donors, grants, programmes
and calls, and what follows the award. A call's or a grant's state changes only through its
transitions, which run the services; once published, a call's rules are read-only here as
everywhere (see grants.services). Tranches, reports, amendments, rates and monitoring visits
are read-only: they change on the grant pages and through the API, by their services."""

from __future__ import annotations

from collections.abc import Collection

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.admin import UserAdmin
from grants.countries import COUNTRIES
from grants.models import (
    Amendment,
    Call,
    CallQuestion,
    Criterion,
    Donor,
    ExchangeRate,
    FinancialLine,
    FollowUpAction,
    Grant,
    GrantBudgetLine,
    Indicator,
    IndicatorValue,
    Membership,
    MembershipInvitation,
    MonitoringVisit,
    Organisation,
    OrganisationType,
    Programme,
    ProgrammeRole,
    Report,
    ReportComment,
    Tranche,
)
from grants.services.calls import CALL_TRANSITIONS, CRITERIA_EDITABLE_STATES, FROZEN_CALL_FIELDS
from grants.services.grants import GRANT_TRANSITIONS
from workflows.admin import (
    CommentForm,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    ServiceTransitionsMixin,
    services_for_admin,
    transition_history,
)

# The rules reviewers score by may change as long as the criteria (until review starts); the
# reviews' due date can still move.
REVIEW_RULE_FIELDS = (
    "blind_review",
    "exclude_same_country",
    "score_step",
    "comments_required",
    "other_reviews_visible",
    "divergence_threshold_percent",
    "pass_threshold",
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "short_name", "country", "city", "org_type")
    list_filter = ("country", "org_type")
    search_fields = ("legal_name", "short_name", "registration_number", "city")
    inlines = (MembershipInline,)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Donor)
class DonorAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name")
    search_fields = ("name", "short_name")


@admin.register(Grant)
class GrantAdmin(ServiceTransitionsMixin, admin.ModelAdmin):
    """Donors' grants to lead organisations (entered here), and the sub-grants that an approved
    award list creates: those keep the terms of the decision, read-only."""

    list_display = (
        "title",
        "organisation",
        "state",
        "donor",
        "amount",
        "currency",
        "application",
        "start_date",
        "end_date",
    )
    list_filter = ("state", "donor", "programme", "currency")
    list_select_related = ("organisation", "donor", "application")
    search_fields = ("title", "reference", "organisation__legal_name", "application__reference")
    autocomplete_fields = ("organisation",)
    # The signed agreement comes through the signing service, which inspects it; not linked here.
    exclude = ("signed_copy",)
    transition_services = services_for_admin(GRANT_TRANSITIONS, "grant")
    fsm_forms = {"suspend": CommentForm, "terminate": CommentForm}

    def get_readonly_fields(self, request, obj=None):
        # The state and the signature change only by the grant's services; the application
        # by the award, whose terms a sub-grant keeps (they change by amendment).
        readonly = ["state", "application", "created_at", "signed_at", "signed_by", "history"]
        if obj is not None and obj.application_id:
            readonly += [
                "organisation",
                "programme",
                "amount",
                "own_contribution",
                "currency",
                "start_date",
                "end_date",
            ]
        return readonly

    @admin.display(description=_("transition log"))
    def history(self, obj) -> str:
        return transition_history(obj) if obj.pk else "—"


@admin.register(MembershipInvitation)
class MembershipInvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Sent by an organisation's administrators, answered by the invited person only."""

    list_display = (
        "organisation",
        "user",
        "role",
        "invited_by",
        "created_at",
        "answered_at",
        "accepted",
    )
    list_filter = ("role", "accepted")
    search_fields = ("organisation__legal_name", "user__email")
    list_select_related = ("organisation", "user", "invited_by")


@admin.register(GrantBudgetLine)
class GrantBudgetLineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Copied from the application at the award; changed by an approved amendment."""

    list_display = ("description", "grant", "category", "amount", "own_contribution")
    list_select_related = ("grant",)
    search_fields = ("description", "grant__title", "grant__reference")


@admin.register(Tranche)
class TrancheAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Made due, approved (by a second person) and paid on the grant's page."""

    list_display = ("__str__", "state", "percent", "amount", "trigger", "paid_on", "paid_amount")
    list_filter = ("state", "trigger")
    list_select_related = ("grant",)
    search_fields = ("grant__title", "grant__reference", "payment_reference")


class FinancialLineInline(ReadOnlyInline):
    model = FinancialLine
    fields = ("budget_line", "spent")


class IndicatorValueInline(ReadOnlyInline):
    model = IndicatorValue
    fields = ("indicator", "value", "comment")


class ReportCommentInline(ReadOnlyInline):
    model = ReportComment
    fields = ("section", "text", "author", "created_at", "resolved")


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Written by the grantee, decided by the programme's managers, on their pages."""

    list_display = ("__str__", "state", "kind", "period_start", "period_end", "due_date")
    list_filter = ("state", "kind")
    list_select_related = ("grant",)
    search_fields = ("grant__title", "grant__reference")
    date_hierarchy = "due_date"
    inlines = (FinancialLineInline, IndicatorValueInline, ReportCommentInline)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The programme's managers keep the rates (exchange_rate_set checks the role)."""

    list_display = ("month", "currency", "rate", "programme")
    list_filter = ("currency", "programme")
    list_select_related = ("programme",)


@admin.register(Amendment)
class AmendmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Requested by the grantee and decided by the manager on the grant's pages."""

    list_display = ("__str__", "state", "kind", "requested_at", "decided_at")
    list_filter = ("state", "kind")
    list_select_related = ("grant",)
    search_fields = ("grant__title", "grant__reference")


class FollowUpActionInline(ReadOnlyInline):
    model = FollowUpAction
    fields = ("description", "due_date", "closed_at", "closed_by", "closing_note")


@admin.register(MonitoringVisit)
class MonitoringVisitAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "visited_on", "visitors", "created_by")
    list_select_related = ("grant", "created_by")
    search_fields = ("grant__title", "visitors", "findings")
    inlines = (FollowUpActionInline,)


class ProgrammeRoleInline(admin.TabularInline):
    model = ProgrammeRole
    extra = 0
    autocomplete_fields = ("user",)


class IndicatorInline(admin.TabularInline):
    """Result indicators; one with reported values cannot be deleted (they are protected)."""

    model = Indicator
    extra = 0
    fields = ("order", "code", "name", "unit", "target")


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "owner",
        "currency",
        "budget",
        "start_date",
        "end_date",
        "parent_grant",
    )
    list_select_related = ("owner", "parent_grant")
    search_fields = ("title", "owner__legal_name")
    autocomplete_fields = ("owner", "parent_grant")
    filter_horizontal = ("donors",)
    inlines = (ProgrammeRoleInline, IndicatorInline)

    def get_readonly_fields(self, request, obj=None):
        # Every amount of every call is in the programme's currency: it cannot change under them.
        if obj is not None and obj.calls.exists():
            return ("currency",)
        return ()


class CallPartInline(admin.TabularInline):
    """A call's questions or criteria: editable only while the call is in `editable_states`."""

    extra = 0
    editable_states: Collection[str] = ()

    def _editable(self, obj) -> bool:
        return obj is None or obj.state in self.editable_states

    def has_add_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


class CallQuestionInline(CallPartInline):
    """Questions define a valid application: editable only while the call is a draft."""

    model = CallQuestion
    fields = ("order", "label", "kind", "required", "max_length", "choices", "help_text")
    editable_states = {Call.State.DRAFT}


class CriterionInline(CallPartInline):
    """Scoring criteria may change until review starts."""

    model = Criterion
    fields = ("order", "title", "weight", "max_score", "pass_threshold", "description")
    editable_states = CRITERIA_EDITABLE_STATES


class CallAdminForm(forms.ModelForm):
    eligible_countries = forms.MultipleChoiceField(
        label=_("eligible countries"),
        choices=COUNTRIES,
        required=False,
        help_text=_("None selected: any country."),
    )
    eligible_org_types = forms.MultipleChoiceField(
        label=_("eligible organisation types"),
        choices=OrganisationType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None selected: any type."),
    )

    class Meta:
        model = Call
        fields = (
            "programme",
            "title",
            "reference_prefix",
            "scope",
            "summary",
            "description",
            "opens_at",
            "closes_at",
            "timezone",
            "budget",
            "min_grant",
            "max_grant",
            "min_cofinancing_percent",
            "eligible_countries",
            "eligible_org_types",
            "reviewers_per_application",
            "review_due_at",
            *REVIEW_RULE_FIELDS,
        )

    def clean_score_step(self):
        step = self.cleaned_data.get("score_step")
        if step is not None and step < 0:
            raise forms.ValidationError(_("The step cannot be negative (0: any value)."))
        return step

    def clean_divergence_threshold_percent(self):
        return _percent(self.cleaned_data.get("divergence_threshold_percent"))

    def clean_pass_threshold(self):
        return _percent(self.cleaned_data.get("pass_threshold"))

    def clean(self):
        # The same rule as grants.services.calls.call_update: once published, a call may be extended
        # (while open) and its budget may grow; nothing may shrink under the applicants.
        cleaned = super().clean()
        call = self.instance
        if call.pk is None or not call.rules_frozen:
            return cleaned
        closes_at = cleaned.get("closes_at")
        if closes_at is not None and closes_at != call.closes_at:
            if call.state != Call.State.OPEN:
                self.add_error("closes_at", _("Only an open call can be extended."))
            elif closes_at < call.closes_at:
                self.add_error("closes_at", _("A published call can be extended, not shortened."))
        budget = cleaned.get("budget")
        if budget is not None and budget < call.budget:
            self.add_error("budget", _("A published call's budget can grow, not shrink."))
        return cleaned


def _percent(value):
    if value is not None and not 0 <= value <= 100:
        raise forms.ValidationError(_("Enter a value from 0 to 100."))
    return value


@admin.register(Call)
class CallAdmin(ServiceTransitionsMixin, admin.ModelAdmin):
    form = CallAdminForm
    transition_services = services_for_admin(CALL_TRANSITIONS, "call")
    fsm_forms = {"cancel": CommentForm}
    list_display = ("title", "programme", "scope", "state", "opens_at", "closes_at", "budget")
    list_filter = ("state", "scope", "programme")
    list_select_related = ("programme",)
    search_fields = ("title", "reference_prefix", "programme__title")
    date_hierarchy = "closes_at"
    autocomplete_fields = ("programme",)
    # applications.admin adds the reviewer pool: removing a reviewer is a rule of review.
    inlines = (CallQuestionInline, CriterionInline)
    fieldsets = (
        (None, {"fields": ("programme", "title", "reference_prefix", "scope", "state")}),
        (_("Texts"), {"fields": ("summary", "description")}),
        (_("Dates"), {"fields": ("opens_at", "closes_at", "timezone", "published_at")}),
        (
            _("Rules"),
            {
                "fields": (
                    "budget",
                    "min_grant",
                    "max_grant",
                    "min_cofinancing_percent",
                    "eligible_countries",
                    "eligible_org_types",
                    "reviewers_per_application",
                )
            },
        ),
        (_("Review"), {"fields": ("review_due_at", *REVIEW_RULE_FIELDS)}),
        (_("History"), {"fields": ("history",)}),
    )

    def get_readonly_fields(self, request, obj=None):
        readonly = ["published_at", "history", *super().get_readonly_fields(request, obj)]
        if obj is not None and obj.rules_frozen:
            readonly += sorted(FROZEN_CALL_FIELDS)
            if obj.state not in CRITERIA_EDITABLE_STATES:
                readonly += ["reviewers_per_application", *REVIEW_RULE_FIELDS]
        return readonly

    def has_delete_permission(self, request, obj=None) -> bool:
        # A published call has applicants and a log: it is cancelled or archived, not deleted.
        return (
            obj is not None
            and obj.state == Call.State.DRAFT
            and super().has_delete_permission(request, obj)
        )

    @admin.display(description=_("transition log"))
    def history(self, obj) -> str:
        return transition_history(obj) if obj.pk else "—"


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("organisation",)
    fields = ("organisation", "role")
    verbose_name_plural = _("organisation memberships")


class ProgrammeRoleInline(admin.TabularInline):
    model = ProgrammeRole
    extra = 0
    autocomplete_fields = ("programme",)
    verbose_name_plural = _("programme roles")


# The person's page (accounts) shows what they are here: memberships and programme roles.
UserAdmin.inlines = (*UserAdmin.inlines, MembershipInline, ProgrammeRoleInline)
