"""Reads of organisations, always for a given viewer: the ones they may see or belong to, one of
them for its members or 404, its people and its open invitations, and one's own invitations."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from grants.models import Membership, MembershipInvitation, Organisation
from grants.policies import roles_of
from grants.roles import STAFF_ROLES
from workflows.selectors import object_or_404


def organisations_visible_to(user) -> QuerySet[Organisation]:
    """The user's organisations, plus those that applied (or partner) in programmes they staff."""
    roles = roles_of(user)
    staffed = roles.programmes_with(*STAFF_ROLES)
    return Organisation.objects.filter(
        Q(id__in=roles.organisation_ids)
        | Q(applications__call__programme_id__in=staffed)
        | Q(programmes__id__in=staffed)
    ).distinct()


def organisations_of(user) -> QuerySet[Organisation]:
    return Organisation.objects.filter(id__in=roles_of(user).organisation_ids)


def organisations_administered_by(user) -> QuerySet[Organisation]:
    """The organisations in which the user is an administrator."""
    return Organisation.objects.filter(id__in=roles_of(user).admin_organisation_ids)


def organisation_for_member(user, organisation_id, *, for_update: bool = False) -> Organisation:
    """The organisation if the user belongs to it; 404 for anyone else. Who may change it or
    manage its people (its administrators) is the policy's call: 403 for a plain member."""
    return object_or_404(organisations_of(user), organisation_id, for_update=for_update)


def membership_of(
    organisation: Organisation, membership_id, *, for_update: bool = False
) -> Membership:
    """A membership of this organisation (already fetched for its viewer), with its person;
    404 otherwise."""
    return object_or_404(
        Membership.objects.select_related("user", "organisation").filter(organisation=organisation),
        membership_id,
        for_update=for_update,
    )


def open_invitation_of(
    organisation: Organisation, invitation_id, *, for_update: bool = False
) -> MembershipInvitation:
    """An invitation of this organisation (already fetched for its viewer) that nobody has
    answered yet, with the invited person; 404 otherwise."""
    return object_or_404(
        MembershipInvitation.objects.select_related("user").filter(
            organisation=organisation, answered_at__isnull=True
        ),
        invitation_id,
        for_update=for_update,
    )


def invitations_to(user) -> QuerySet[MembershipInvitation]:
    """One's own invitations to join an organisation, open or answered: nobody else's."""
    return MembershipInvitation.objects.filter(user=user)


def invitation_for_invitee(
    user, invitation_id, *, for_update: bool = False
) -> MembershipInvitation:
    """One's own invitation, with its organisation; anyone else's is a 404."""
    return object_or_404(
        invitations_to(user).select_related("organisation"), invitation_id, for_update=for_update
    )


def members_by_organisation(organisation_ids) -> dict[int, tuple[int, ...]]:
    """{organisation_id: (user ids of its active members, sorted)}, in one query. For the
    notifications an organisation receives, not for a viewer."""
    found: dict[int, list[int]] = {}
    for org_id, user_id in Membership.objects.filter(
        organisation_id__in=set(organisation_ids), user__is_active=True
    ).values_list("organisation_id", "user_id"):
        found.setdefault(org_id, []).append(user_id)
    return {k: tuple(sorted(v)) for k, v in found.items()}
