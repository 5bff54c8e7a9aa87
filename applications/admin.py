"""Admin for operators: applications are read-only here (applicants write them through the
services, which keep versions and rules); their transitions run the same services as the pages
and the API, so every change is checked and logged."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows.admin import ServiceTransitionsMixin, transition_history

from .models import Answer, Application, Attachment, BudgetLine, ClarificationRequest, Partner
from .services import (
    application_answer_clarification,
    application_request_clarification,
    application_screen,
    application_submit,
    application_withdraw,
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


def _submit(application, actor, data):
    return application_submit(application=application, actor=actor)


def _withdraw(application, actor, data):
    return application_withdraw(
        application=application, actor=actor, comment=data.get("comment", "")
    )


def _mark_eligible(application, actor, data):
    return application_screen(application=application, actor=actor, eligible=True)


def _mark_ineligible(application, actor, data):
    return application_screen(
        application=application, actor=actor, eligible=False, reason=data.get("reason", "")
    )


def _request_clarification(application, actor, data):
    return application_request_clarification(
        application=application,
        actor=actor,
        question=data.get("question", ""),
        response_due_at=data.get("response_due_at"),
    )


def _resubmit(application, actor, data):
    return application_answer_clarification(
        application=application, actor=actor, answer=data.get("answer", "")
    )


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


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


@admin.register(Application)
class ApplicationAdmin(ServiceTransitionsMixin, admin.ModelAdmin):
    transition_services = {
        "submit": _submit,
        "withdraw": _withdraw,
        "mark_eligible": _mark_eligible,
        "mark_ineligible": _mark_ineligible,
        "request_clarification": _request_clarification,
        "resubmit": _resubmit,
    }
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
