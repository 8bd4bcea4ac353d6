"""Server mode's account pages (allauth's, kindstep's own) and the limited admin."""

from django.urls import include, path

from kindstep.accounts import admin, views

urlpatterns = [
    path("accounts/", views.account_home, name="account_home"),
    path("accounts/delete/", views.delete_account, name="account_delete"),
    path("accounts/deleted/", views.account_deleted, name="account_deleted"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
