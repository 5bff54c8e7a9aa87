"""The grants pages: programmes and calls (manager), grants after the award (manager, public
list) at the site root, and the grantee's pages under /grants/."""

from django.urls import include, path

urlpatterns = [
    path("", include("grants.urls.programmes")),
    path("grants/", include("grants.urls.grantee")),
    path("", include("grants.urls.grants")),
]
