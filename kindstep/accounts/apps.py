from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Server mode's accounts: who may sign in, and which person each account is."""

    name = "kindstep.accounts"
    label = "kindstep_accounts"
    verbose_name = "Accounts"
    default_auto_field = "django.db.models.BigAutoField"
