"""Server mode's sharing pages: the member's (/sharing/) and the grantee's (/shared/)."""

from django.urls import path

from kindstep.sharing import views

urlpatterns = [
    path("sharing/", views.sharing, name="sharing"),
    path("sharing/invite/", views.invite, name="sharing_invite"),
    path("sharing/<int:share>/revoke/", views.revoke, name="sharing_revoke"),
    path("shared/", views.shared, name="shared"),
    path("shared/accept/", views.accept, name="shared_accept"),
    path("shared/<int:share>/", views.shared_record, name="shared_record"),
    path("shared/<int:share>/report.pdf", views.shared_report, name="shared_report"),
]
