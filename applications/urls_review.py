"""The review pages (included at the site root): the reviewer's under review/, the programme
staff's under manage/review/, and the applicant's outcome page."""

from django.urls import path

from applications import review_views as views

urlpatterns = [
    # The reviewer
    path("review/", views.dashboard, name="review-dashboard"),
    path(
        "review/assignments/<int:assignment_id>/",
        views.assignment_detail,
        name="review-assignment",
    ),
    path(
        "review/assignments/<int:assignment_id>/declare/",
        views.assignment_declare,
        name="review-declare",
    ),
    path(
        "review/assignments/<int:assignment_id>/decline/",
        views.assignment_decline,
        name="review-decline",
    ),
    path("review/assignments/<int:assignment_id>/save/", views.review_save, name="review-save"),
    path(
        "review/assignments/<int:assignment_id>/submit/",
        views.review_submit,
        name="review-submit",
    ),
    path(
        "review/assignments/<int:assignment_id>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="review-attachment",
    ),
    path(
        "review/invitation/<uidb64>/<token>/",
        views.InvitationAcceptView.as_view(),
        name="review-invitation",
    ),
    # The applicant
    path("review/outcome/<int:application_id>/", views.outcome, name="review-outcome"),
    # Programme staff
    path("manage/review/calls/<int:call_id>/", views.call_review, name="review-manage-call"),
    path("manage/review/calls/<int:call_id>/reviewers/", views.pool, name="review-manage-pool"),
    path(
        "manage/review/calls/<int:call_id>/reviewers/<int:link_id>/remove/",
        views.pool_remove,
        name="review-manage-pool-remove",
    ),
    path(
        "manage/review/calls/<int:call_id>/reviewers/<int:link_id>/invite/",
        views.pool_invite,
        name="review-manage-pool-invite",
    ),
    path(
        "manage/review/calls/<int:call_id>/assignments/",
        views.matrix,
        name="review-manage-matrix",
    ),
    path(
        "manage/review/calls/<int:call_id>/assignments/auto/",
        views.auto_assign,
        name="review-manage-auto-assign",
    ),
    path(
        "manage/review/calls/<int:call_id>/assignments/new/",
        views.assign,
        name="review-manage-assign",
    ),
    path(
        "manage/review/calls/<int:call_id>/ranking/",
        views.ranking,
        name="review-manage-ranking",
    ),
    path(
        "manage/review/calls/<int:call_id>/ranking.csv",
        views.ranking_export,
        name="review-manage-ranking-csv",
    ),
    path(
        "manage/review/calls/<int:call_id>/analysis/",
        views.reviewer_analysis,
        name="review-manage-analysis",
    ),
    path(
        "manage/review/calls/<int:call_id>/decision/",
        views.decision,
        name="review-manage-decision",
    ),
    path(
        "manage/review/calls/<int:call_id>/decision/propose/",
        views.award_list_propose,
        name="review-manage-propose",
    ),
    path(
        "manage/review/award-lists/<int:award_list_id>/approve/",
        views.award_list_approve,
        name="review-manage-approve",
    ),
    path(
        "manage/review/award-lists/<int:award_list_id>/return/",
        views.award_list_return,
        name="review-manage-return",
    ),
    path(
        "manage/review/applications/<int:application_id>/",
        views.application_reviews,
        name="review-manage-application",
    ),
    path(
        "manage/review/applications/<int:application_id>/consensus/",
        views.application_consensus,
        name="review-manage-consensus",
    ),
    path(
        "manage/review/applications/<int:application_id>/reviewers/",
        views.application_assign,
        name="review-manage-application-assign",
    ),
    path(
        "manage/review/assignments/<int:assignment_id>/reopen/",
        views.assignment_reopen,
        name="review-manage-reopen",
    ),
]
