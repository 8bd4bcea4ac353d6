from django.apps import AppConfig


class GroupsConfig(AppConfig):
    """Server mode's quiet peer groups."""

    name = "kindstep.groups"
    label = "kindstep_groups"
    verbose_name = "Peer groups"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kindstep.groups import actions
        from kindstep.store.export_erase import person_erasing

        # Erasing a record (or deleting the account) takes the person out of every group at once,
        # in the erase's own transaction.
        person_erasing.connect(actions.forget_person, dispatch_uid="kindstep_groups_forget")
