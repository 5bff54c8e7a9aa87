"""The names of the roles people hold: in an organisation, and in a programme. The models use
them as their choices; the policies reason about them (below the models, they import none)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MembershipRole(models.TextChoices):
    ADMIN = "admin", _("Administrator (manages members, signs)")
    MEMBER = "member", _("Member (drafts and submits)")


class ProgrammeRoleName(models.TextChoices):
    MANAGER = "manager", _("Programme manager")
    APPROVER = "approver", _("Approver")
    OBSERVER = "observer", _("Donor observer")


# Manager, approver or donor observer: they may read everything inside the programme.
STAFF_ROLES = (ProgrammeRoleName.MANAGER, ProgrammeRoleName.APPROVER, ProgrammeRoleName.OBSERVER)
# Who approves and pays tranches.
FINANCE_ROLES = (ProgrammeRoleName.MANAGER, ProgrammeRoleName.APPROVER)
