from django.apps import AppConfig


class ApiConfig(AppConfig):
    """Server mode's REST API: personal access tokens, and the routes they open."""

    name = "kindstep.api"
    label = "kindstep_api"
    verbose_name = "API"
    default_auto_field = "django.db.models.BigAutoField"
