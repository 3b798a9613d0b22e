from django.apps import AppConfig
from django.utils.module_loading import import_string

from projects import signals


class DeterminationsConfig(AppConfig):
    name = "determinations"
    verbose_name = "Determinations"

    def ready(self):
        # By path: the receiver's module holds models, loadable only once the apps are ready.
        signals.project_withdrawn.connect(
            import_string("determinations.workflow.on_project_withdrawn"),
            dispatch_uid="determinations.project_withdrawn",
        )
