"""The grants models, one module per sub-domain; import them from here."""

from grants.models.calls import Call, CallQuestion, CallReviewer, Criterion
from grants.models.common import (
    MONEY,
    BudgetCategory,
    StoredUpload,
    default_report_questions,
    default_reporting_template,
    default_tranche_template,
    validate_call_offsets,
    validate_programme_offsets,
)
from grants.models.grants import Amendment, FollowUpAction, Grant, GrantBudgetLine, MonitoringVisit
from grants.models.organisations import (
    Membership,
    MembershipInvitation,
    Organisation,
    OrganisationType,
)
from grants.models.programmes import Donor, ExchangeRate, Indicator, Programme, ProgrammeRole
from grants.models.reports import (
    FinancialLine,
    IndicatorValue,
    Report,
    ReportAttachment,
    ReportComment,
    report_attachment_path,
)
from grants.models.tranches import Tranche

__all__ = [
    "MONEY",
    "Amendment",
    "BudgetCategory",
    "Call",
    "CallQuestion",
    "CallReviewer",
    "Criterion",
    "Donor",
    "ExchangeRate",
    "FinancialLine",
    "FollowUpAction",
    "Grant",
    "GrantBudgetLine",
    "Indicator",
    "IndicatorValue",
    "Membership",
    "MembershipInvitation",
    "MonitoringVisit",
    "Organisation",
    "OrganisationType",
    "Programme",
    "ProgrammeRole",
    "Report",
    "ReportAttachment",
    "ReportComment",
    "StoredUpload",
    "Tranche",
    "default_report_questions",
    "default_reporting_template",
    "default_tranche_template",
    "report_attachment_path",
    "validate_call_offsets",
    "validate_programme_offsets",
]
