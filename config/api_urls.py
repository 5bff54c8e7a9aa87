"""/api/v1/: resources as DESIGN.md names them; sub-resources under their parent's id."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from accounts.api import TokenApi
from applications.api.applications import (
    ApplicationViewSet,
    AttachmentViewSet,
    BudgetLineViewSet,
    PartnerViewSet,
)
from applications.api.awards import AwardListViewSet
from applications.api.moderation import ApplicationConsensusApi
from applications.api.ranking import CallRankingApi, CallRankingCsvApi, CallReviewerAnalysisApi
from applications.api.review import AssignmentViewSet, CallAutoAssignApi
from grants.api.calls import CallQuestionViewSet, CallViewSet, CriterionViewSet
from grants.api.grants import AmendmentViewSet, GrantViewSet, MonitoringVisitViewSet
from grants.api.me import MeApi
from grants.api.organisations import (
    MyInvitationViewSet,
    OrganisationInvitationViewSet,
    OrganisationMemberViewSet,
    OrganisationViewSet,
)
from grants.api.programmes import ProgrammeViewSet
from grants.api.reports import ReportViewSet
from grants.api.tranches import TrancheViewSet
from workflows.api import NotificationViewSet

router = DefaultRouter()
router.include_format_suffixes = False
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register(
    r"organisations/(?P<organisation_id>[0-9]+)/members",
    OrganisationMemberViewSet,
    "organisation-member",
)
router.register(
    r"organisations/(?P<organisation_id>[0-9]+)/invitations",
    OrganisationInvitationViewSet,
    "organisation-invitation",
)
router.register("me/invitations", MyInvitationViewSet, basename="my-invitation")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("calls", CallViewSet, basename="call")
router.register(r"calls/(?P<call_id>[0-9]+)/questions", CallQuestionViewSet, "call-question")
router.register(r"calls/(?P<call_id>[0-9]+)/criteria", CriterionViewSet, "call-criterion")
router.register("applications", ApplicationViewSet, basename="application")
router.register(
    r"applications/(?P<application_id>[0-9]+)/budget-lines",
    BudgetLineViewSet,
    "application-budget-line",
)
router.register(
    r"applications/(?P<application_id>[0-9]+)/partners", PartnerViewSet, "application-partner"
)
router.register(
    r"applications/(?P<application_id>[0-9]+)/attachments",
    AttachmentViewSet,
    "application-attachment",
)
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("award-lists", AwardListViewSet, basename="award-list")
router.register("grants", GrantViewSet, basename="grant")
router.register(r"grants/(?P<grant_id>[0-9]+)/tranches", TrancheViewSet, "grant-tranche")
router.register(r"grants/(?P<grant_id>[0-9]+)/reports", ReportViewSet, "grant-report")
router.register(r"grants/(?P<grant_id>[0-9]+)/amendments", AmendmentViewSet, "grant-amendment")
router.register(r"grants/(?P<grant_id>[0-9]+)/visits", MonitoringVisitViewSet, "grant-visit")

urlpatterns = [
    path("auth/token/", TokenApi.as_view(), name="api-token"),
    path("me/", MeApi.as_view(), name="api-me"),
    # Review and selection under a call or an application; before the router's routes.
    path("calls/<int:call_id>/auto-assign/", CallAutoAssignApi.as_view(), name="call-auto-assign"),
    path("calls/<int:call_id>/ranking/", CallRankingApi.as_view(), name="call-ranking"),
    path("calls/<int:call_id>/ranking.csv", CallRankingCsvApi.as_view(), name="call-ranking-csv"),
    path(
        "calls/<int:call_id>/reviewer-analysis/",
        CallReviewerAnalysisApi.as_view(),
        name="call-reviewer-analysis",
    ),
    path(
        "applications/<int:pk>/consensus/",
        ApplicationConsensusApi.as_view(),
        name="application-consensus",
    ),
    path("", include(router.urls)),
]
