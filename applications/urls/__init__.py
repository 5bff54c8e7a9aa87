"""The applications pages: review (reviewer and programme staff), the applicant's pages at the
site root, and the manager's screening pages under /manage/."""

from django.urls import include, path

urlpatterns = [
    path("", include("applications.urls.review")),
    path("", include("applications.urls.applications")),
    path("manage/", include("applications.urls.screening")),
]
