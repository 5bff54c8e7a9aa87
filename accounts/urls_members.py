"""An organisation's people, its invitations and their answers, and the link an invited person
follows to set a password (under /accounts/)."""

from django.urls import path

from accounts import member_views as views

urlpatterns = [
    path(
        "organisations/<int:organisation_id>/members/",
        views.members,
        name="organisation-members",
    ),
    path(
        "organisations/<int:organisation_id>/members/<int:membership_id>/role/",
        views.member_role,
        name="organisation-member-role",
    ),
    path(
        "organisations/<int:organisation_id>/members/<int:membership_id>/remove/",
        views.member_remove,
        name="organisation-member-remove",
    ),
    path(
        "organisations/<int:organisation_id>/members/<int:membership_id>/invite/",
        views.member_invite_again,
        name="organisation-member-invite",
    ),
    path(
        "organisations/<int:organisation_id>/invitations/<int:invitation_id>/withdraw/",
        views.invitation_withdraw,
        name="organisation-invitation-withdraw",
    ),
    path(
        "invitations/<int:invitation_id>/accept/",
        views.invitation_accept,
        name="membership-invitation-accept",
    ),
    path(
        "invitations/<int:invitation_id>/decline/",
        views.invitation_decline,
        name="membership-invitation-decline",
    ),
    path(
        "invitation/<uidb64>/<token>/",
        views.InvitationAcceptView.as_view(),
        name="organisation-invitation",
    ),
]
