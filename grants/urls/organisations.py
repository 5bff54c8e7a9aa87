"""Organisations (under /accounts/, by grants.urls): the profile, its people, its invitations
and their answers, and the link an invited person follows to set a password."""

from django.urls import path

from grants.views.members import (
    InvitationAcceptView,
    invitation_accept,
    invitation_decline,
    invitation_withdraw,
    member_invite_again,
    member_remove,
    member_role,
    members,
)
from grants.views.organisations import organisation_create, organisation_edit

urlpatterns = [
    path("organisations/new/", organisation_create, name="organisation-create"),
    path(
        "organisations/<int:organisation_id>/edit/",
        organisation_edit,
        name="organisation-edit",
    ),
    path(
        "organisations/<int:organisation_id>/members/",
        members,
        name="organisation-members",
    ),
    path(
        "organisations/<int:organisation_id>/members/<int:membership_id>/role/",
        member_role,
        name="organisation-member-role",
    ),
    path(
        "organisations/<int:organisation_id>/members/<int:membership_id>/remove/",
        member_remove,
        name="organisation-member-remove",
    ),
    path(
        "organisations/<int:organisation_id>/members/<int:membership_id>/invite/",
        member_invite_again,
        name="organisation-member-invite",
    ),
    path(
        "organisations/<int:organisation_id>/invitations/<int:invitation_id>/withdraw/",
        invitation_withdraw,
        name="organisation-invitation-withdraw",
    ),
    path(
        "invitations/<int:invitation_id>/accept/",
        invitation_accept,
        name="membership-invitation-accept",
    ),
    path(
        "invitations/<int:invitation_id>/decline/",
        invitation_decline,
        name="membership-invitation-decline",
    ),
    path(
        "invitation/<uidb64>/<token>/",
        InvitationAcceptView.as_view(),
        name="organisation-invitation",
    ),
]
