from django.apps import AppConfig


class WebConfig(AppConfig):
    """kindstep's pages: templates, static files and thin views over the store's actions."""

    name = "kindstep.web"
    label = "kindstep_web"
    verbose_name = "kindstep web"
