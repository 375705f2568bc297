from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubjectsConfig(AppConfig):
    name = "casebook.subjects"
    label = "subjects"
    verbose_name = _("Tracked subjects")

    def ready(self):
        from casebook.audit.labels import register_action
        from casebook.core.home import register_home_panel

        from . import access, home

        access.register_rules()
        register_home_panel(home.subject_stats)
        from casebook.core.bureaus import register_bureau_setup

        from .category_services import bureau_setup

        register_bureau_setup(bureau_setup)
        register_action("subject.import_check", _("Register workbook checked"))
        register_action("subject.import", _("Registers imported"))
