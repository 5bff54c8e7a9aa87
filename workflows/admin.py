"""Admin for operators: the append-only TransitionLog, and what the other admins share — their
state transitions, always through the services (never through the bare model method), taken
from the apps' registries; and the read-only rows that only the services write.

The buttons list what the object's *state* allows, not only what this user may do: the service
checks the permission exactly as it does for the web pages and the API, and its refusal is shown
as an error. An operator (superuser) without a role is refused like anyone else; to act, they
give themselves the role (a programme role, a membership), which the log then shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm.admin import FSMAdminMixin, FSMObjectTransition, FSMTransitionContext

from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.models import Notification, TransitionLog

# (object, actor, data from the transition form) → whatever the service returns
TransitionService = Callable[[Any, Any, Mapping[str, Any]], object]


def services_for_admin(
    transitions: Mapping[str, Callable[..., object]], subject: str, *, only: Iterable[str] = ()
) -> dict[str, TransitionService]:
    """An admin's `transition_services` from an app's registry (django-fsm name → the service,
    called as `service(*, <subject>=obj, actor=…, …)`): every transition of the registry, or
    `only` those. Each gets the object, the operator and the fields of its transition form (the
    admin's `fsm_forms`) by name."""

    def for_admin(service: Callable[..., object]) -> TransitionService:
        def run(obj, actor, data: Mapping[str, Any]) -> object:
            return service(**{subject: obj}, actor=actor, **data)

        return run

    return {name: for_admin(transitions[name]) for name in (only or transitions)}


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


def transition_via_service(
    *, model_admin: admin.ModelAdmin, request: HttpRequest, obj, name: str, data: Mapping
) -> bool:
    """Run transition `name` on `obj` through its service, as `request.user`; say how it went.

    The service locks the row, checks permission and guards, transitions, saves and writes the
    TransitionLog. Its refusals become admin error messages and nothing changes."""
    service = model_admin.transition_services.get(name)
    if service is None:
        model_admin.message_user(
            request, gettext("That transition is not available here."), messages.ERROR
        )
        return False
    try:
        service(obj, request.user, data)
    except NotPermitted as exc:
        message = f"{exc} {model_admin.not_permitted_hint}"
    except TransitionConflict as exc:
        message = exc.detail
    except RuleViolation as exc:
        problems = " ".join(exc.messages)
        message = (
            exc.detail if exc.detail == "; ".join(exc.messages) else f"{exc.detail} {problems}"
        )
    else:
        transition = model_admin._get_fsm_transition_by_name(obj=obj, transition_name=name)
        label = model_admin.get_fsm_label(transition)
        model_admin.message_user(request, gettext("Done: %(t)s.") % {"t": label}, messages.SUCCESS)
        return True
    model_admin.message_user(request, message, messages.ERROR)
    return False


class ServiceTransitionsMixin(FSMAdminMixin):
    """django-fsm's admin transitions, routed to `transition_services` (name → service)."""

    fsm_fields = ["state"]
    fsm_transition_not_allowed_msg = _(
        "“{transition_name}” needs a role you do not hold on this object "
        "(for example programme manager of its programme)."
    )
    transition_services: Mapping[str, TransitionService] = {}
    # Button labels for transitions whose model declares none (name → label).
    transition_labels: Mapping[str, str] = {}
    # Appended to a refusal for lack of permission: how an operator can act after all.
    not_permitted_hint = _(
        "Operators act through roles: give yourself the role (for example programme manager, "
        "on the programme's page) and try again."
    )

    def is_fsm_transition_visible(self, transition) -> bool:
        return transition.name in self.transition_services

    def get_fsm_label(self, transition) -> str:
        return self.transition_labels.get(transition.name) or super().get_fsm_label(transition)

    def _get_fsm_extra_context(self, *, request, obj) -> Iterator[FSMObjectTransition]:
        if obj is None:
            return
        user = request.user
        offered = [
            FSMTransitionContext(
                name=t.name,
                label=self.get_fsm_label(t),
                help_text=None
                if t.has_perm(obj, user)
                else gettext("You do not hold the role for this: the service will refuse."),
            )
            for t in obj.get_available_state_transitions()
            if self.is_fsm_transition_visible(t)
        ]
        if offered:
            yield FSMObjectTransition(
                fsm_field="state",
                block_label=gettext("Transitions"),
                available_transitions=offered,
            )

    def response_change(self, request: HttpRequest, obj) -> HttpResponse:
        name = request.POST.get(self.fsm_post_param)
        if name and name not in self.transition_services:
            self.message_user(
                request, gettext("That transition is not available here."), messages.ERROR
            )
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def _apply_fsm_transition(self, *, obj, transition_name, request, kwargs=None) -> bool:
        return transition_via_service(
            model_admin=self, request=request, obj=obj, name=transition_name, data=kwargs or {}
        )


class ReadOnlyAdminMixin:
    """Shown to operators, changed only by the services (pages and API)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0

    def get_readonly_fields(self, request, obj=None):
        return self.fields


def transition_history(obj) -> str:
    """The object's TransitionLog, oldest first, as lines for a read-only admin field."""
    rows = TransitionLog.objects.for_object(obj)
    return format_html_join(
        "",
        "<div>{} — {}: {} → {} ({}){}</div>",
        (
            (
                timezone.localtime(row.created_at).strftime("%Y-%m-%d %H:%M:%S %Z"),
                row.transition,
                row.from_state,
                row.to_state,
                row.actor or gettext("system"),
                f" — {row.comment}" if row.comment else "",
            )
            for row in rows
        ),
    ) or gettext("No transitions yet.")


@admin.register(TransitionLog)
class TransitionLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Append-only: operators read it; nobody adds, changes or deletes a row here."""

    list_display = (
        "created_at",
        "content_type",
        "object_id",
        "transition",
        "from_state",
        "to_state",
        "actor",
        "comment",
    )
    list_filter = ("content_type", "transition", "to_state")
    list_select_related = ("content_type", "actor")
    search_fields = ("transition", "comment", "actor__email")
    date_hierarchy = "created_at"
    fields = list_display
    readonly_fields = list_display


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The reminder outbox, for operators: what waits, what went, what failed and why."""

    list_display = [
        "due_at",
        "kind",
        "offset",
        "recipient",
        "state",
        "attempts",
        "sent_at",
        "emailed_at",
        "short_error",
    ]
    list_filter = ["state", "kind"]
    actions = ["retry"]
    search_fields = ["recipient__email", "deadline_key", "subject"]
    date_hierarchy = "due_at"
    list_select_related = ["recipient"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="error")
    def short_error(self, obj: Notification) -> str:
        return obj.error.splitlines()[0][:120] if obj.error else ""

    @admin.action(description="Send the selected failed notifications again")
    def retry(self, request: HttpRequest, queryset) -> None:
        count = queryset.filter(state=Notification.State.FAILED).update(
            state=Notification.State.PENDING, queued_at=None, claimed_at=None
        )
        self.message_user(
            request, f"{count} notification(s) will go out with the next sweep (within a minute)."
        )
