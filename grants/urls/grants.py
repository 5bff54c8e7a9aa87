"""The manager's pages for grants after the award, and the public list of awarded grants
(included at the site root)."""

from django.urls import path

from grants.views.manage.grants import (
    amendment_decide,
    follow_up_close,
    grant_detail,
    grant_summary,
    grant_transition,
    visit_create,
)
from grants.views.manage.incoming import incoming_grant, incoming_grant_create, incoming_grant_edit
from grants.views.manage.portfolio import donor_report, portfolio, portfolio_export
from grants.views.manage.reports import (
    exchange_rates,
    grant_schedule,
    report_approve,
    report_attachment,
    report_detail,
    report_open,
    report_remove,
    report_request_changes,
    report_reschedule,
)
from grants.views.manage.tranches import tranche_approve, tranche_make_due, tranche_pay
from grants.views.public import (
    programme_grants,
    programme_grants_360giving_csv,
    programme_grants_360giving_json,
    programme_grants_iati,
)

urlpatterns = [
    path(
        "manage/programmes/<int:programme_id>/grants/",
        portfolio,
        name="manage-portfolio",
    ),
    path(
        "manage/programmes/<int:programme_id>/grants.csv",
        portfolio_export,
        name="manage-portfolio-export",
    ),
    path(
        "manage/programmes/<int:programme_id>/exchange-rates/",
        exchange_rates,
        name="manage-exchange-rates",
    ),
    path(
        "manage/programmes/<int:programme_id>/donor-report/",
        donor_report,
        name="manage-donor-report",
    ),
    path(
        "manage/incoming-grants/new/",
        incoming_grant_create,
        name="manage-incoming-grant-create",
    ),
    path(
        "manage/incoming-grants/<int:grant_id>/edit/",
        incoming_grant_edit,
        name="manage-incoming-grant-edit",
    ),
    path(
        "manage/incoming-grants/<int:grant_id>/",
        incoming_grant,
        name="manage-incoming-grant",
    ),
    path("manage/grants/<int:grant_id>/", grant_detail, name="manage-grant"),
    path(
        "manage/grants/<int:grant_id>/schedule/",
        grant_schedule,
        name="manage-grant-schedule",
    ),
    path(
        "manage/grants/<int:grant_id>/schedule/<int:report_id>/",
        report_reschedule,
        name="manage-report-reschedule",
    ),
    path(
        "manage/grants/<int:grant_id>/schedule/<int:report_id>/remove/",
        report_remove,
        name="manage-report-remove",
    ),
    path(
        "manage/grants/<int:grant_id>/transitions/<slug:name>/",
        grant_transition,
        name="manage-grant-transition",
    ),
    path(
        "manage/grants/<int:grant_id>/summary/",
        grant_summary,
        name="manage-grant-summary",
    ),
    path(
        "manage/grants/<int:grant_id>/visits/new/",
        visit_create,
        name="manage-visit-create",
    ),
    path(
        "manage/tranches/<int:tranche_id>/make-due/",
        tranche_make_due,
        name="manage-tranche-make-due",
    ),
    path(
        "manage/tranches/<int:tranche_id>/approve/",
        tranche_approve,
        name="manage-tranche-approve",
    ),
    path("manage/tranches/<int:tranche_id>/pay/", tranche_pay, name="manage-tranche-pay"),
    path(
        "manage/amendments/<int:amendment_id>/decide/",
        amendment_decide,
        name="manage-amendment-decide",
    ),
    path(
        "manage/follow-ups/<int:action_id>/close/",
        follow_up_close,
        name="manage-follow-up-close",
    ),
    path("manage/reports/<int:report_id>/", report_detail, name="manage-report"),
    path(
        "manage/reports/<int:report_id>/attachments/<int:attachment_id>/",
        report_attachment,
        name="manage-report-attachment",
    ),
    path("manage/reports/<int:report_id>/open/", report_open, name="manage-report-open"),
    path(
        "manage/reports/<int:report_id>/approve/",
        report_approve,
        name="manage-report-approve",
    ),
    path(
        "manage/reports/<int:report_id>/request-changes/",
        report_request_changes,
        name="manage-report-request-changes",
    ),
    path(
        "programmes/<int:programme_id>/grants/",
        programme_grants,
        name="public-programme-grants",
    ),
    path(
        "programmes/<int:programme_id>/grants/360giving.json",
        programme_grants_360giving_json,
        name="public-programme-grants-360giving-json",
    ),
    path(
        "programmes/<int:programme_id>/grants/360giving.csv",
        programme_grants_360giving_csv,
        name="public-programme-grants-360giving-csv",
    ),
    path(
        "programmes/<int:programme_id>/grants/iati.xml",
        programme_grants_iati,
        name="public-programme-grants-iati",
    ),
]
