"""What the header offers depends on the roles someone holds (loaded once per request)."""

from django import template

from grants.policies import roles_of
from workflows.selectors import inbox_of

register = template.Library()


@register.filter
def has_programme_role(user) -> bool:
    return bool(roles_of(user).programme_roles)


@register.filter
def is_reviewer(user) -> bool:
    return bool(roles_of(user).reviewer_call_ids)


@register.filter
def unread_count(user) -> int:
    """Unread inbox items, for the header (one small query per page)."""
    if not user.is_authenticated:
        return 0
    return inbox_of(user).filter(read_at__isnull=True).count()
