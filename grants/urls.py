"""The programme manager's pages for programmes and calls (included at the site root)."""

from django.urls import path

from grants import views

urlpatterns = [
    path("manage/", views.manage_home, name="manage-home"),
    path("manage/programmes/new/", views.programme_create, name="manage-programme-create"),
    path(
        "manage/programmes/<int:programme_id>/",
        views.programme_detail,
        name="manage-programme",
    ),
    path(
        "manage/programmes/<int:programme_id>/reminders/",
        views.programme_reminders,
        name="manage-programme-reminders",
    ),
    path(
        "manage/programmes/<int:programme_id>/calls/new/",
        views.call_create,
        name="manage-call-create",
    ),
    path("manage/calls/<int:call_id>/", views.call_detail, name="manage-call"),
    path("manage/calls/<int:call_id>/edit/", views.call_edit, name="manage-call-edit"),
    path(
        "manage/calls/<int:call_id>/transitions/<slug:name>/",
        views.call_transition,
        name="manage-call-transition",
    ),
    path(
        "manage/calls/<int:call_id>/questions/new/",
        views.question_create,
        name="manage-question-create",
    ),
    path(
        "manage/calls/<int:call_id>/questions/<int:question_id>/",
        views.question_edit,
        name="manage-question-edit",
    ),
    path(
        "manage/calls/<int:call_id>/questions/<int:question_id>/delete/",
        views.question_delete,
        name="manage-question-delete",
    ),
    path(
        "manage/calls/<int:call_id>/criteria/new/",
        views.criterion_create,
        name="manage-criterion-create",
    ),
    path(
        "manage/calls/<int:call_id>/criteria/<int:criterion_id>/",
        views.criterion_edit,
        name="manage-criterion-edit",
    ),
    path(
        "manage/calls/<int:call_id>/criteria/<int:criterion_id>/delete/",
        views.criterion_delete,
        name="manage-criterion-delete",
    ),
]
