"""Server mode's peer group pages (added to ``kindstep/web/urls.py`` in server mode only)."""

from django.urls import path

from kindstep.groups import views

urlpatterns = [
    path("groups/", views.groups, name="groups"),
    path("groups/new/", views.create, name="group_create"),
    path("groups/join/", views.join, name="group_join"),
    path("groups/<int:group>/", views.group, name="group"),
    path("groups/<int:group>/choices/", views.choices, name="group_choices"),
    path("groups/<int:group>/leave/", views.leave, name="group_leave"),
    path("groups/<int:group>/code/", views.new_code, name="group_code"),
]
