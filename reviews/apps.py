from django.apps import AppConfig
from django.utils.module_loading import import_string

from jitrack import pagecache
from projects import signals


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews"

    def ready(self):
        pagecache.watch(self)  # its rows are on the public pages
        # By path: the receiver's module holds models, loadable only once the apps are ready.
        signals.project_withdrawn.connect(
            import_string("reviews.workflow.on_project_withdrawn"),
            dispatch_uid="reviews.project_withdrawn",
        )
        # The confidential review log is hash-chained like the public record (projects.ledger).
        import_string("reviews.ledger.register")()
