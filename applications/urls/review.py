"""The review pages (included at the site root): the reviewer's under review/, the programme
staff's under manage/review/, and the applicant's outcome page."""

from django.urls import path

from applications.views.assignments import assign, auto_assign, call_review, matrix
from applications.views.awards import (
    award_list_approve,
    award_list_propose,
    award_list_return,
    decision,
    outcome,
)
from applications.views.moderation import (
    application_assign,
    application_consensus,
    application_reviews,
    assignment_reopen,
)
from applications.views.pools import pool, pool_invite, pool_remove
from applications.views.ranking import ranking, ranking_export, reviewer_analysis
from applications.views.review import (
    InvitationAcceptView,
    assignment_declare,
    assignment_decline,
    assignment_detail,
    attachment_download,
    dashboard,
    review_save,
    review_submit,
)

urlpatterns = [
    # The reviewer
    path("review/", dashboard, name="review-dashboard"),
    path(
        "review/assignments/<int:assignment_id>/",
        assignment_detail,
        name="review-assignment",
    ),
    path(
        "review/assignments/<int:assignment_id>/declare/",
        assignment_declare,
        name="review-declare",
    ),
    path(
        "review/assignments/<int:assignment_id>/decline/",
        assignment_decline,
        name="review-decline",
    ),
    path("review/assignments/<int:assignment_id>/save/", review_save, name="review-save"),
    path(
        "review/assignments/<int:assignment_id>/submit/",
        review_submit,
        name="review-submit",
    ),
    path(
        "review/assignments/<int:assignment_id>/attachments/<int:attachment_id>/",
        attachment_download,
        name="review-attachment",
    ),
    path(
        "review/invitation/<uidb64>/<token>/",
        InvitationAcceptView.as_view(),
        name="review-invitation",
    ),
    # The applicant
    path("review/outcome/<int:application_id>/", outcome, name="review-outcome"),
    # Programme staff
    path("manage/review/calls/<int:call_id>/", call_review, name="review-manage-call"),
    path("manage/review/calls/<int:call_id>/reviewers/", pool, name="review-manage-pool"),
    path(
        "manage/review/calls/<int:call_id>/reviewers/<int:link_id>/remove/",
        pool_remove,
        name="review-manage-pool-remove",
    ),
    path(
        "manage/review/calls/<int:call_id>/reviewers/<int:link_id>/invite/",
        pool_invite,
        name="review-manage-pool-invite",
    ),
    path(
        "manage/review/calls/<int:call_id>/assignments/",
        matrix,
        name="review-manage-matrix",
    ),
    path(
        "manage/review/calls/<int:call_id>/assignments/auto/",
        auto_assign,
        name="review-manage-auto-assign",
    ),
    path(
        "manage/review/calls/<int:call_id>/assignments/new/",
        assign,
        name="review-manage-assign",
    ),
    path(
        "manage/review/calls/<int:call_id>/ranking/",
        ranking,
        name="review-manage-ranking",
    ),
    path(
        "manage/review/calls/<int:call_id>/ranking.csv",
        ranking_export,
        name="review-manage-ranking-csv",
    ),
    path(
        "manage/review/calls/<int:call_id>/analysis/",
        reviewer_analysis,
        name="review-manage-analysis",
    ),
    path(
        "manage/review/calls/<int:call_id>/decision/",
        decision,
        name="review-manage-decision",
    ),
    path(
        "manage/review/calls/<int:call_id>/decision/propose/",
        award_list_propose,
        name="review-manage-propose",
    ),
    path(
        "manage/review/award-lists/<int:award_list_id>/approve/",
        award_list_approve,
        name="review-manage-approve",
    ),
    path(
        "manage/review/award-lists/<int:award_list_id>/return/",
        award_list_return,
        name="review-manage-return",
    ),
    path(
        "manage/review/applications/<int:application_id>/",
        application_reviews,
        name="review-manage-application",
    ),
    path(
        "manage/review/applications/<int:application_id>/consensus/",
        application_consensus,
        name="review-manage-consensus",
    ),
    path(
        "manage/review/applications/<int:application_id>/reviewers/",
        application_assign,
        name="review-manage-application-assign",
    ),
    path(
        "manage/review/assignments/<int:assignment_id>/reopen/",
        assignment_reopen,
        name="review-manage-reopen",
    ),
]
