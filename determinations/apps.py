from django.apps import AppConfig

from projects import signals


class DeterminationsConfig(AppConfig):
    name = "determinations"
    verbose_name = "Determinations"

    def ready(self):
        from . import workflow  # noqa: PLC0415 -- models must be ready

        signals.project_withdrawn.connect(
            workflow.on_project_withdrawn, dispatch_uid="determinations.project_withdrawn"
        )
