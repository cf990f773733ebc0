from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class OperationsConfig(AppConfig):
    default = True
    name = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from media_pipeline.budgets import register_spend_provider
        from operations import receivers, spending

        register_spend_provider(spending.month_spend)
        receivers.connect()


class ReelsmithAdminConfig(admin_apps.AdminConfig):
    """The admin with email login, the metrics page and the review queue (operations.admin_site)."""

    default = False
    default_site = "operations.admin_site.ReelsmithAdminSite"
