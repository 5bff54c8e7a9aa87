"""The grantee's pages after the award (included under /grants/)."""

from django.urls import path

from grants.views.grantee import (
    action_close,
    amendment_create,
    grant_agreement,
    grant_detail,
    grant_list,
    grant_sign_view,
    grant_signed_copy,
    report_attachment_delete,
    report_attachment_download,
    report_attachment_upload,
    report_autosave,
    report_edit,
    report_submit_view,
)

REPORT = "<int:grant_id>/reports/<int:report_id>/"

urlpatterns = [
    path("", grant_list, name="grantee-grants"),
    path("<int:grant_id>/", grant_detail, name="grantee-grant"),
    path("<int:grant_id>/agreement.pdf", grant_agreement, name="grant-agreement"),
    path("<int:grant_id>/signed-agreement.pdf", grant_signed_copy, name="grant-signed-copy"),
    path("<int:grant_id>/sign/", grant_sign_view, name="grantee-grant-sign"),
    path("<int:grant_id>/amendments/", amendment_create, name="grantee-amendment-create"),
    path(
        "<int:grant_id>/actions/<int:action_id>/close/",
        action_close,
        name="grantee-action-close",
    ),
    path(REPORT, report_edit, name="grantee-report"),
    path(REPORT + "autosave/", report_autosave, name="grantee-report-autosave"),
    path(REPORT + "submit/", report_submit_view, name="grantee-report-submit"),
    path(
        REPORT + "attachments/",
        report_attachment_upload,
        name="grantee-report-attachment-add",
    ),
    path(
        REPORT + "attachments/<int:attachment_id>/",
        report_attachment_download,
        name="grantee-report-attachment",
    ),
    path(
        REPORT + "attachments/<int:attachment_id>/remove/",
        report_attachment_delete,
        name="grantee-report-attachment-remove",
    ),
]
