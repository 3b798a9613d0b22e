from django.apps import AppConfig

from projects import signals


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews"

    def ready(self):
        from . import workflow  # noqa: PLC0415 -- models must be ready

        signals.project_withdrawn.connect(
            workflow.on_project_withdrawn, dispatch_uid="reviews.project_withdrawn"
        )
