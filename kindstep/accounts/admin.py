"""kindstep's admin: accounts and invitations, and nothing that leads to a person's record.

A site of its own (Django's default one would collect every installed app's
models): an admin manages who may sign in, never reads anyone's entries. Its
sign-in is allauth's (rate limits, second factors), not the admin's own form.
"""

from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth import get_user_model

from kindstep.accounts.models import Invitation


class KindstepAdminSite(admin.AdminSite):
    site_header = "kindstep: accounts and invitations"
    site_title = "kindstep admin"
    index_title = "Accounts and invitations (no one's record is shown here)"
    enable_nav_sidebar = False


site = KindstepAdminSite(name="kindstep_admin")
site.login = secure_admin_login(site.login)


@admin.register(get_user_model(), site=site)
class AccountAdmin(admin.ModelAdmin):
    """Who has an account: their email, whether it may sign in, and whether it is an admin."""

    list_display = ("email", "is_active", "is_staff", "date_joined", "last_login")
    list_filter = ("is_active", "is_staff")
    search_fields = ("email",)
    ordering = ("email",)
    fields = ("email", "is_active", "is_staff", "is_superuser", "date_joined", "last_login")
    readonly_fields = ("date_joined", "last_login")

    def has_add_permission(self, request) -> bool:
        return False  # people sign up (or `kindstep createuser`), with a password only they know

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deleting an account erases a record: the person does that themself


@admin.register(Invitation, site=site)
class InvitationAdmin(admin.ModelAdmin):
    """Email addresses that may open an account when sign-up is by invitation."""

    list_display = ("email", "invited_at", "accepted_at")
    search_fields = ("email",)
    fields = ("email",)

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.invited_by = request.user
        super().save_model(request, obj, form, change)
