"""The one way an object changes state.

`transition_perform` is what every state-changing service calls once it holds the row lock
and has checked its own guards: it checks the actor's permission, calls the django-fsm
transition, saves, and appends to the TransitionLog — inside the caller's transaction.
"""

from __future__ import annotations

from django.db import models, transaction
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, has_transition_perm

from .exceptions import NotPermitted, TransitionConflict
from .models import TransitionLog


def transition_perform(
    *,
    obj: models.Model,
    name: str,
    actor,
    comment: str = "",
    check_permission: bool = True,
    kwargs: dict | None = None,
    update_fields: list[str] | None = None,
) -> TransitionLog:
    """Run transition `name` on an object the caller has locked; log it. Needs a transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition_perform must run inside transaction.atomic()")
    method = getattr(obj, name)
    from_state = obj.state
    if check_permission and not has_transition_perm(method, actor):
        # has_transition_perm is also False when the state does not allow it: tell them apart.
        if not _allowed_from(method, from_state):
            raise TransitionConflict(
                _("This cannot be done while it is “%(state)s”.")
                % {"state": obj.get_state_display()},
                code="invalid_state",
            )
        raise NotPermitted(_("You are not allowed to do this."))
    try:
        method(**(kwargs or {}))
    except TransitionNotAllowed as exc:
        raise TransitionConflict(
            _("This cannot be done while it is “%(state)s”.") % {"state": obj.get_state_display()},
            code="invalid_state",
        ) from exc
    obj.save(update_fields=update_fields)
    return TransitionLog.objects.create(
        subject=obj,
        transition=name,
        from_state=from_state,
        to_state=obj.state,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        comment=comment,
    )


def _allowed_from(method, state) -> bool:
    meta = method._django_fsm
    return meta.has_transition(state)


def available_transitions(obj, user) -> list[str]:
    """Names of the transitions `user` may call on `obj` now (state and permission)."""
    getter = obj.get_available_user_state_transitions
    return [t.name for t in getter(user=user)]
