"""The programme manager's pages for programmes and calls (included at the site root)."""

from django.urls import path

from grants.views.manage.calls import (
    call_create,
    call_detail,
    call_edit,
    call_transition,
    criterion_create,
    criterion_delete,
    criterion_edit,
    question_create,
    question_delete,
    question_edit,
)
from grants.views.manage.programmes import (
    manage_home,
    programme_create,
    programme_detail,
    programme_reminders,
)

urlpatterns = [
    path("manage/", manage_home, name="manage-home"),
    path("manage/programmes/new/", programme_create, name="manage-programme-create"),
    path(
        "manage/programmes/<int:programme_id>/",
        programme_detail,
        name="manage-programme",
    ),
    path(
        "manage/programmes/<int:programme_id>/reminders/",
        programme_reminders,
        name="manage-programme-reminders",
    ),
    path(
        "manage/programmes/<int:programme_id>/calls/new/",
        call_create,
        name="manage-call-create",
    ),
    path("manage/calls/<int:call_id>/", call_detail, name="manage-call"),
    path("manage/calls/<int:call_id>/edit/", call_edit, name="manage-call-edit"),
    path(
        "manage/calls/<int:call_id>/transitions/<slug:name>/",
        call_transition,
        name="manage-call-transition",
    ),
    path(
        "manage/calls/<int:call_id>/questions/new/",
        question_create,
        name="manage-question-create",
    ),
    path(
        "manage/calls/<int:call_id>/questions/<int:question_id>/",
        question_edit,
        name="manage-question-edit",
    ),
    path(
        "manage/calls/<int:call_id>/questions/<int:question_id>/delete/",
        question_delete,
        name="manage-question-delete",
    ),
    path(
        "manage/calls/<int:call_id>/criteria/new/",
        criterion_create,
        name="manage-criterion-create",
    ),
    path(
        "manage/calls/<int:call_id>/criteria/<int:criterion_id>/",
        criterion_edit,
        name="manage-criterion-edit",
    ),
    path(
        "manage/calls/<int:call_id>/criteria/<int:criterion_id>/delete/",
        criterion_delete,
        name="manage-criterion-delete",
    ),
]
