"""How a rule of access (a policy) is asked for, the same way everywhere.

Policies live in each app's policies.py as `can_<verb>_<object>(*, user, <object>)`. Views,
API views and services state the one they need with `require(policy, user=…, <object>=…)`,
which raises NotPermitted (answered 403 on pages and in the API) with the policy's `refusal`. A model's FSM transition
names it with `permission=fsm_permission(policy)`: django-fsm calls permissions as
`(instance, user)`, the adapter hands them over by keyword.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from django.utils.translation import gettext as _

from workflows.exceptions import NotPermitted

Policy = Callable[..., bool]


def _object_parameter(policy: Policy) -> str:
    names = [name for name in inspect.signature(policy).parameters if name != "user"]
    if len(names) != 1:
        raise TypeError(f"{policy.__name__} must take `user` and one object, by keyword.")
    return names[0]


def fsm_permission(policy: Policy) -> Callable[[object, object], bool]:
    """The policy as a django-fsm `permission=` callable."""
    name = _object_parameter(policy)

    def permission(instance, user) -> bool:
        return policy(user=user, **{name: instance})

    permission.__name__ = permission.__qualname__ = f"fsm_{policy.__name__}"
    permission.policy = policy
    return permission


def refusal(message) -> Callable[[Policy], Policy]:
    """What `require` says when the policy does not hold (a lazy translation)."""

    def decorate(policy: Policy) -> Policy:
        policy.refusal = message
        return policy

    return decorate


def require(policy: Policy, *, message: str = "", **arguments) -> None:
    """Raise NotPermitted (403) unless `policy(**arguments)` holds; the message is the
    policy's refusal unless the caller says otherwise."""
    if not policy(**arguments):
        said = message or getattr(policy, "refusal", "") or _("You are not allowed to do this.")
        raise NotPermitted(str(said))
