from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_save
from django.utils.module_loading import import_string

from jitrack import pagecache


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self):
        pagecache.watch(self)  # its rows are on the public pages
        # The searched names of the participants (projects.search, by path: it holds models).
        m2m_changed.connect(
            import_string("projects.search.participants_changed"),
            sender=self.get_model("Project").participants.through,
            dispatch_uid="projects.search.participants",
        )
        post_save.connect(
            import_string("projects.search.organisation_saved"),
            sender="projects.Organisation",
            dispatch_uid="projects.search.organisation",
        )
