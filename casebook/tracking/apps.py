from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "casebook.tracking"
    label = "tracking"
    verbose_name = _("Tracking tasks")

    def ready(self):
        from . import access, dossier

        access.register_rules()
        dossier.register()  # the tasks card of a subject's overview
        from casebook.core.jobs import register_job

        from .tasks import create_scheduled_tasks, escalate_deadlines

        register_job(create_scheduled_tasks)
        register_job(escalate_deadlines)
        from casebook.core.home import register_home_panel

        from .home import my_tasks

        register_home_panel(my_tasks)
