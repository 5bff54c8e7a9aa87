from django.urls import path

from applications import views

urlpatterns = [
    path("", views.call_list, name="call-list"),
    path("calls/<int:call_id>/", views.call_detail, name="call-detail"),
    path("calls/<int:call_id>/apply/", views.call_apply, name="call-apply"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("applications/<int:application_id>/", views.application_detail, name="application-detail"),
    path(
        "applications/<int:application_id>/edit/", views.application_edit, name="application-edit"
    ),
    path(
        "applications/<int:application_id>/autosave/",
        views.application_autosave,
        name="application-autosave",
    ),
    path(
        "applications/<int:application_id>/submit/",
        views.application_submit,
        name="application-submit",
    ),
    path(
        "applications/<int:application_id>/receipt/",
        views.application_receipt,
        name="application-receipt",
    ),
    path(
        "applications/<int:application_id>/withdraw/",
        views.application_withdraw,
        name="application-withdraw",
    ),
    path(
        "applications/<int:application_id>/clarification/",
        views.application_clarify,
        name="application-clarify",
    ),
    path(
        "applications/<int:application_id>/partners/search/",
        views.partner_search,
        name="partner-search",
    ),
    path(
        "applications/<int:application_id>/partners/add/",
        views.partner_add,
        name="partner-add",
    ),
    path(
        "applications/<int:application_id>/partners/<int:partner_id>/remove/",
        views.partner_remove,
        name="partner-remove",
    ),
    path(
        "applications/<int:application_id>/attachments/add/",
        views.attachment_add,
        name="attachment-add",
    ),
    path(
        "applications/<int:application_id>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment-download",
    ),
    path(
        "applications/<int:application_id>/attachments/<int:attachment_id>/remove/",
        views.attachment_remove,
        name="attachment-remove",
    ),
]
