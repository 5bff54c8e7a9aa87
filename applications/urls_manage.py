"""The programme manager's pages for applications (included at "manage/")."""

from django.urls import path

from applications import manage_views

urlpatterns = [
    path(
        "calls/<int:call_id>/applications/",
        manage_views.application_list,
        name="manage-application-list",
    ),
    path(
        "calls/<int:call_id>/applications.csv",
        manage_views.application_export,
        name="manage-application-export",
    ),
    path(
        "applications/<int:application_id>/",
        manage_views.application_detail,
        name="manage-application",
    ),
    path(
        "applications/<int:application_id>/screen/",
        manage_views.application_screen,
        name="manage-application-screen",
    ),
    path(
        "applications/<int:application_id>/clarify/",
        manage_views.application_clarify,
        name="manage-application-clarify",
    ),
]
