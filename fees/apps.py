from django.apps import AppConfig
from django.utils.module_loading import import_string

from jitrack import pagecache
from projects import signals


class FeesConfig(AppConfig):
    name = "fees"
    verbose_name = "Fees"

    def ready(self):
        pagecache.watch(self)  # its rows are on the public pages
        # By path: the receiver's module holds models, loadable only once the apps are ready.
        signals.project_ended.connect(
            import_string("fees.services.on_project_ended"), dispatch_uid="fees.project_ended"
        )
