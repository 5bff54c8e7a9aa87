"""The one way an object changes state.

`transition_perform` is what every state-changing service calls once it holds the row lock
and has checked its own guards: it checks the actor's permission, calls the django-fsm
transition, saves, and appends to the TransitionLog — inside the caller's transaction.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, has_transition_perm

from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.models import TransitionLog


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


def transition_perform_bulk(*, model, ids, name: str, actor, comment: str = "") -> int:
    """Run transition `name` on many rows at once (e.g. 5,000 applications entering review):
    one UPDATE guarded by the transition's source states, one INSERT of log rows. Only for
    transitions without side effects in their method body. Needs a transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition_perform_bulk must run inside transaction.atomic()")
    from django.contrib.contenttypes.models import ContentType

    meta = getattr(model, name)._django_fsm
    sources = [s for s in meta.transitions if s not in ("*", "+")]
    target = next(iter(meta.transitions.values())).target
    rows = list(
        model.objects.select_for_update()
        .filter(pk__in=list(ids), state__in=sources)
        .values_list("pk", "state")
    )
    if not rows:
        return 0
    model.objects.filter(pk__in=[pk for pk, _state in rows]).update(state=target)
    content_type = ContentType.objects.get_for_model(model)
    TransitionLog.objects.bulk_create(
        [
            TransitionLog(
                content_type=content_type,
                object_id=pk,
                transition=name,
                from_state=state,
                to_state=target,
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                comment=comment,
            )
            for pk, state in rows
        ],
        batch_size=1000,
    )
    return len(rows)


def model_validate(obj: models.Model, *, exclude: list[str] | None = None) -> None:
    """The model's own rules (field validators, constraints) as a RuleViolation: a service
    answers a broken rule the same way whether it checked it itself or the model did."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise RuleViolation(exc.message_dict) from exc
