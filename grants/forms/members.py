"""Forms of the page where an organisation's administrators manage its people. They parse
and present; grants.services.organisations decides (who may, the last administrator, duplicates)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import PlainLabels
from grants.models import Membership
from workflows.exceptions import RuleViolation

ROLE_CHOICES = [
    (Membership.Role.MEMBER, _("Member: drafts and submits applications, writes reports")),
    (
        Membership.Role.ADMIN,
        _("Administrator: also signs agreements and manages the organisation's people"),
    ),
]


class MemberInviteForm(PlainLabels, forms.Form):
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    full_name = forms.CharField(
        label=_("Name (optional)"),
        required=False,
        max_length=200,
        help_text=_("Used only if they have no account yet."),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=ROLE_CHOICES,
        initial=Membership.Role.MEMBER,
        widget=forms.RadioSelect,
    )

    def add_rule_errors(self, exc: RuleViolation) -> None:
        """A service's errors by field; keys the form does not know become form errors."""
        for key, messages in exc.errors.items():
            self.add_error(key if key in self.fields else None, messages)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)
