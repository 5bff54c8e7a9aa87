"""Reads of grants after the award, always for a given viewer: the grants they may see (the
grantee's members and the programme's staff), one grant — or one of its tranches, amendments
and follow-up actions — for one audience or 404, and a grant's history."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from grants.models import Amendment, FollowUpAction, Grant, Report, Tranche
from grants.policies import roles_of
from grants.roles import STAFF_ROLES
from grants.selectors.programmes import staffed_programme_ids
from workflows.models import TransitionLog
from workflows.selectors import history_of, object_or_404


def grants_visible_to(user) -> QuerySet[Grant]:
    """The grants of the user's organisations, and every grant of the programmes they staff:
    policies.can_view_grant as a query."""
    roles = roles_of(user)
    return Grant.objects.filter(
        Q(organisation_id__in=roles.organisation_ids)
        | Q(programme_id__in=roles.programmes_with(*STAFF_ROLES))
    )


def grants_for(user) -> QuerySet[Grant]:
    """Visible grants with everything GrantSerializer reads, in constant queries."""
    return (
        grants_visible_to(user)
        .select_related("organisation", "programme", "signed_by")
        .prefetch_related("budget_lines", "tranches", "reports")
    )


def grant_for_viewer(user, grant_id, *related: str, for_update: bool = False) -> Grant:
    """Both sides of the agreement: the grantee's members and the programme's staff
    (policies.can_view_grant); 404 for anyone else. `related`: what the caller reads with it."""
    grants = grants_visible_to(user)
    if related:
        grants = grants.select_related(*related)
    return object_or_404(grants, grant_id, for_update=for_update)


# The grantee's side: members of the organisation that received the grant. --------------


def grants_for_member(user) -> QuerySet[Grant]:
    """The grants of the user's organisations, with what the grantee's pages read of each."""
    return Grant.objects.filter(organisation_id__in=roles_of(user).organisation_ids).select_related(
        "organisation", "programme__owner", "application__call", "signed_by"
    )


def grant_for_member(user, grant_id, *, for_update: bool = False) -> Grant:
    """The grant if the user is a member of the grantee organisation. Everyone else —
    programme staff included, who have their own pages — gets 404."""
    return object_or_404(grants_for_member(user), grant_id, for_update=for_update)


def follow_up_action_of(grant: Grant, action_id, *, for_update: bool = False) -> FollowUpAction:
    """A follow-up action of one of this grant's monitoring visits (the grant already fetched
    for its viewer), or 404. Its visit comes with it, and the visit's grant is this one."""
    action = object_or_404(
        FollowUpAction.objects.select_related("visit").filter(visit__grant=grant),
        action_id,
        for_update=for_update,
    )
    action.visit.grant = grant
    return action


# The programme's side: its staff (manager, approver or donor observer). ---------------


def grant_for_staff(user, grant_id, *, for_update: bool = False) -> Grant:
    """A sub-grant in a programme this user staffs. Being a member of the grantee does not
    open the manager's page: that is the grantee's own view."""
    return object_or_404(
        Grant.objects.filter(programme_id__in=staffed_programme_ids(user)).select_related(
            "organisation", "programme__parent_grant", "application__call", "signed_by"
        ),
        grant_id,
        for_update=for_update,
    )


def tranche_for_staff(user, tranche_id, *, for_update: bool = False) -> Tranche:
    """A tranche of a sub-grant in a programme this user staffs, with its grant; 404 otherwise."""
    return object_or_404(
        Tranche.objects.filter(grant__programme_id__in=staffed_programme_ids(user)).select_related(
            "grant"
        ),
        tranche_id,
        for_update=for_update,
    )


def amendment_for_staff(user, amendment_id, *, for_update: bool = False) -> Amendment:
    """An amendment of a sub-grant in a programme this user staffs, with its grant; 404
    otherwise."""
    return object_or_404(
        Amendment.objects.filter(
            grant__programme_id__in=staffed_programme_ids(user)
        ).select_related("grant"),
        amendment_id,
        for_update=for_update,
    )


def follow_up_action_for_staff(user, action_id, *, for_update: bool = False) -> FollowUpAction:
    """A follow-up action of a monitoring visit to a sub-grant in a programme this user staffs,
    with its visit and grant; 404 otherwise."""
    return object_or_404(
        FollowUpAction.objects.filter(
            visit__grant__programme_id__in=staffed_programme_ids(user)
        ).select_related("visit__grant"),
        action_id,
        for_update=for_update,
    )


# Incoming grants: a donor's grant to an organisation, which funds its programmes. -------


def incoming_grant_for_staff(user, grant_id, *, for_update: bool = False) -> Grant:
    """An incoming grant that funds at least one programme this user staffs."""
    return object_or_404(
        Grant.objects.filter(funded_programmes__in=staffed_programme_ids(user))
        .distinct()
        .select_related("organisation", "donor"),
        grant_id,
        for_update=for_update,
    )


def _incoming_grants_of(organisation_ids) -> QuerySet[Grant]:
    # Entered by hand: no application, no programme.
    return Grant.objects.filter(
        organisation_id__in=organisation_ids, application__isnull=True, programme__isnull=True
    ).select_related("organisation", "donor")


def incoming_grant_for_member(user, grant_id, *, for_update: bool = False) -> Grant:
    """An incoming grant (no application, no programme) of one of the user's organisations;
    404 otherwise. A plain member sees it but may not change it (the view's policy: 403)."""
    return object_or_404(
        _incoming_grants_of(roles_of(user).organisation_ids), grant_id, for_update=for_update
    )


def incoming_grants_administered_by(user) -> QuerySet[Grant]:
    """The donors' grants entered by hand for the organisations the user administers; no
    query at all for someone who administers none."""
    admin_of = roles_of(user).admin_organisation_ids
    if not admin_of:
        return Grant.objects.none()
    return _incoming_grants_of(admin_of)


def grant_history(grant: Grant) -> QuerySet[TransitionLog]:
    """Every transition of the grant and of its tranches, reports and amendments, oldest first."""
    return history_of(
        grant,
        include={
            Tranche: grant.tranches.values("pk"),
            Report: grant.reports.values("pk"),
            Amendment: grant.amendments.values("pk"),
        },
    )
