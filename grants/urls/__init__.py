"""The grants pages: organisations and their people under /accounts/, programmes and calls
(manager), grants after the award (manager, public list) at the site root, and the grantee's
pages under /grants/."""

from django.urls import include, path

urlpatterns = [
    path("accounts/", include("grants.urls.organisations")),
    path("", include("grants.urls.programmes")),
    path("grants/", include("grants.urls.grantee")),
    path("", include("grants.urls.grants")),
]
