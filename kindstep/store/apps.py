from django.apps import AppConfig


class StoreConfig(AppConfig):
    """kindstep's storage: models, migrations, actions (writes) and queries (reads)."""

    name = "kindstep.store"
    label = "kindstep"
    verbose_name = "kindstep"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kindstep import checks  # noqa: F401 - registers kindstep's checks with Django's
        from kindstep.store import versioning

        versioning.connect()
