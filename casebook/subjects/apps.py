from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubjectsConfig(AppConfig):
    name = "casebook.subjects"
    label = "subjects"
    verbose_name = _("Tracked subjects")

    def ready(self):
        from casebook.core.home import register_home_panel

        from . import access, home

        access.register_rules()
        register_home_panel(home.subject_stats)
