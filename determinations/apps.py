from django.apps import AppConfig


class DeterminationsConfig(AppConfig):
    name = "determinations"
    verbose_name = "Determinations"
