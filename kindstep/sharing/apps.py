from django.apps import AppConfig


class SharingConfig(AppConfig):
    """Server mode's shares: who may see which parts of a member's record, and every view."""

    name = "kindstep.sharing"
    label = "kindstep_sharing"
    verbose_name = "Sharing"
    default_auto_field = "django.db.models.BigAutoField"
