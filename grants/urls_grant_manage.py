"""The manager's pages for grants after the award, and the public list of awarded grants
(included at the site root)."""

from django.urls import path

from grants import grant_manage_views as views
from grants import public_views

urlpatterns = [
    path(
        "manage/programmes/<int:programme_id>/grants/",
        views.portfolio,
        name="manage-portfolio",
    ),
    path(
        "manage/programmes/<int:programme_id>/grants.csv",
        views.portfolio_export,
        name="manage-portfolio-export",
    ),
    path(
        "manage/programmes/<int:programme_id>/exchange-rates/",
        views.exchange_rates,
        name="manage-exchange-rates",
    ),
    path(
        "manage/programmes/<int:programme_id>/donor-report/",
        views.donor_report,
        name="manage-donor-report",
    ),
    path(
        "manage/incoming-grants/new/",
        views.incoming_grant_create,
        name="manage-incoming-grant-create",
    ),
    path(
        "manage/incoming-grants/<int:grant_id>/edit/",
        views.incoming_grant_edit,
        name="manage-incoming-grant-edit",
    ),
    path(
        "manage/incoming-grants/<int:grant_id>/",
        views.incoming_grant,
        name="manage-incoming-grant",
    ),
    path("manage/grants/<int:grant_id>/", views.grant_detail, name="manage-grant"),
    path(
        "manage/grants/<int:grant_id>/schedule/",
        views.grant_schedule,
        name="manage-grant-schedule",
    ),
    path(
        "manage/grants/<int:grant_id>/schedule/<int:report_id>/",
        views.report_reschedule,
        name="manage-report-reschedule",
    ),
    path(
        "manage/grants/<int:grant_id>/schedule/<int:report_id>/remove/",
        views.report_remove,
        name="manage-report-remove",
    ),
    path(
        "manage/grants/<int:grant_id>/transitions/<slug:name>/",
        views.grant_transition,
        name="manage-grant-transition",
    ),
    path(
        "manage/grants/<int:grant_id>/summary/",
        views.grant_summary,
        name="manage-grant-summary",
    ),
    path(
        "manage/grants/<int:grant_id>/visits/new/",
        views.visit_create,
        name="manage-visit-create",
    ),
    path(
        "manage/tranches/<int:tranche_id>/make-due/",
        views.tranche_make_due,
        name="manage-tranche-make-due",
    ),
    path(
        "manage/tranches/<int:tranche_id>/approve/",
        views.tranche_approve,
        name="manage-tranche-approve",
    ),
    path("manage/tranches/<int:tranche_id>/pay/", views.tranche_pay, name="manage-tranche-pay"),
    path(
        "manage/amendments/<int:amendment_id>/decide/",
        views.amendment_decide,
        name="manage-amendment-decide",
    ),
    path(
        "manage/follow-ups/<int:action_id>/close/",
        views.follow_up_close,
        name="manage-follow-up-close",
    ),
    path("manage/reports/<int:report_id>/", views.report_detail, name="manage-report"),
    path(
        "manage/reports/<int:report_id>/attachments/<int:attachment_id>/",
        views.report_attachment,
        name="manage-report-attachment",
    ),
    path("manage/reports/<int:report_id>/open/", views.report_open, name="manage-report-open"),
    path(
        "manage/reports/<int:report_id>/approve/",
        views.report_approve,
        name="manage-report-approve",
    ),
    path(
        "manage/reports/<int:report_id>/request-changes/",
        views.report_request_changes,
        name="manage-report-request-changes",
    ),
    path(
        "programmes/<int:programme_id>/grants/",
        public_views.programme_grants,
        name="public-programme-grants",
    ),
    path(
        "programmes/<int:programme_id>/grants/360giving.json",
        public_views.programme_grants_360giving_json,
        name="public-programme-grants-360giving-json",
    ),
    path(
        "programmes/<int:programme_id>/grants/360giving.csv",
        public_views.programme_grants_360giving_csv,
        name="public-programme-grants-360giving-csv",
    ),
    path(
        "programmes/<int:programme_id>/grants/iati.xml",
        public_views.programme_grants_iati,
        name="public-programme-grants-iati",
    ),
]
