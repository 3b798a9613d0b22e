from django.apps import AppConfig
from django.utils.module_loading import import_string

from jitrack import pagecache
from projects import signals


class DeterminationsConfig(AppConfig):
    name = "determinations"
    verbose_name = "Determinations"

    def ready(self):
        pagecache.watch(self)  # its rows are on the public pages
        # By path: the receiver's module holds models, loadable only once the apps are ready.
        withdraw = import_string("determinations.workflow.withdraw_open_determinations")
        signals.project_withdrawn.connect(withdraw, dispatch_uid="determinations.withdrawn")
        signals.determination_set_aside.connect(withdraw, dispatch_uid="determinations.set_aside")
