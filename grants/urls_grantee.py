"""The grantee's pages after the award (included under /grants/)."""

from django.urls import path

from grants import grantee_views as views

REPORT = "<int:grant_id>/reports/<int:report_id>/"

urlpatterns = [
    path("", views.grant_list, name="grantee-grants"),
    path("<int:grant_id>/", views.grant_detail, name="grantee-grant"),
    path("<int:grant_id>/agreement.pdf", views.grant_agreement, name="grant-agreement"),
    path("<int:grant_id>/signed-agreement.pdf", views.grant_signed_copy, name="grant-signed-copy"),
    path("<int:grant_id>/sign/", views.grant_sign_view, name="grantee-grant-sign"),
    path("<int:grant_id>/amendments/", views.amendment_create, name="grantee-amendment-create"),
    path(
        "<int:grant_id>/actions/<int:action_id>/close/",
        views.action_close,
        name="grantee-action-close",
    ),
    path(REPORT, views.report_edit, name="grantee-report"),
    path(REPORT + "autosave/", views.report_autosave, name="grantee-report-autosave"),
    path(REPORT + "submit/", views.report_submit_view, name="grantee-report-submit"),
    path(
        REPORT + "attachments/",
        views.report_attachment_upload,
        name="grantee-report-attachment-add",
    ),
    path(
        REPORT + "attachments/<int:attachment_id>/",
        views.report_attachment_download,
        name="grantee-report-attachment",
    ),
    path(
        REPORT + "attachments/<int:attachment_id>/remove/",
        views.report_attachment_delete,
        name="grantee-report-attachment-remove",
    ),
]
