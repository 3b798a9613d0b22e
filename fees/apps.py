from django.apps import AppConfig

from projects import signals


class FeesConfig(AppConfig):
    name = "fees"
    verbose_name = "Fees"

    def ready(self):
        from . import services  # noqa: PLC0415 -- models must be ready

        signals.project_ended.connect(services.on_project_ended, dispatch_uid="fees.project_ended")
