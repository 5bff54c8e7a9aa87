"""The applicant's pages (included at the site root by applications.urls)."""

from django.urls import path

from applications.views.applications import (
    application_clarify,
    application_detail,
    application_receipt,
    application_submit,
    application_withdraw,
)
from applications.views.calls import call_apply, call_detail, call_list, dashboard
from applications.views.editor import (
    application_autosave,
    application_edit,
    attachment_add,
    attachment_download,
    attachment_remove,
    partner_add,
    partner_remove,
    partner_search,
)

urlpatterns = [
    path("", call_list, name="call-list"),
    path("calls/<int:call_id>/", call_detail, name="call-detail"),
    path("calls/<int:call_id>/apply/", call_apply, name="call-apply"),
    path("dashboard/", dashboard, name="dashboard"),
    path("applications/<int:application_id>/", application_detail, name="application-detail"),
    path("applications/<int:application_id>/edit/", application_edit, name="application-edit"),
    path(
        "applications/<int:application_id>/autosave/",
        application_autosave,
        name="application-autosave",
    ),
    path(
        "applications/<int:application_id>/submit/",
        application_submit,
        name="application-submit",
    ),
    path(
        "applications/<int:application_id>/receipt/",
        application_receipt,
        name="application-receipt",
    ),
    path(
        "applications/<int:application_id>/withdraw/",
        application_withdraw,
        name="application-withdraw",
    ),
    path(
        "applications/<int:application_id>/clarification/",
        application_clarify,
        name="application-clarify",
    ),
    path(
        "applications/<int:application_id>/partners/search/",
        partner_search,
        name="partner-search",
    ),
    path(
        "applications/<int:application_id>/partners/add/",
        partner_add,
        name="partner-add",
    ),
    path(
        "applications/<int:application_id>/partners/<int:partner_id>/remove/",
        partner_remove,
        name="partner-remove",
    ),
    path(
        "applications/<int:application_id>/attachments/add/",
        attachment_add,
        name="attachment-add",
    ),
    path(
        "applications/<int:application_id>/attachments/<int:attachment_id>/",
        attachment_download,
        name="attachment-download",
    ),
    path(
        "applications/<int:application_id>/attachments/<int:attachment_id>/remove/",
        attachment_remove,
        name="attachment-remove",
    ),
]
