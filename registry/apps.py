from django.apps import AppConfig
from django.utils.module_loading import import_string

from projects import signals


class RegistryConfig(AppConfig):
    """The public registry and every page or answer composed from several stages. No models."""

    name = "registry"
    verbose_name = "Registry"

    def ready(self):
        # By path: the receiver's module reads models, loadable only once the apps are ready.
        signals.compose_project.connect(
            import_string("registry.api.compose_project"), dispatch_uid="registry.compose"
        )
