"""The programme manager's pages for applications (included under /manage/ by applications.urls)."""

from django.urls import path

from applications.views.screening import (
    application_clarify,
    application_detail,
    application_export,
    application_list,
    application_screen,
)

urlpatterns = [
    path(
        "calls/<int:call_id>/applications/",
        application_list,
        name="manage-application-list",
    ),
    path(
        "calls/<int:call_id>/applications.csv",
        application_export,
        name="manage-application-export",
    ),
    path(
        "applications/<int:application_id>/",
        application_detail,
        name="manage-application",
    ),
    path(
        "applications/<int:application_id>/screen/",
        application_screen,
        name="manage-application-screen",
    ),
    path(
        "applications/<int:application_id>/clarify/",
        application_clarify,
        name="manage-application-clarify",
    ),
]
