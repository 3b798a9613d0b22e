from django.apps import AppConfig

from projects import signals


class RegistryConfig(AppConfig):
    """The public registry and every page or answer composed from several stages. No models."""

    name = "registry"
    verbose_name = "Registry"

    def ready(self):
        from . import api  # noqa: PLC0415 -- models must be ready

        signals.compose_project.connect(api.compose_project, dispatch_uid="registry.compose")
