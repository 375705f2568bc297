from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from casebook.audit.labels import register_action
from casebook.audit.naming import register_namer
from casebook.core.bureaus import register_bureau_setup
from casebook.core.home import register_home_panel


class SubjectsConfig(AppConfig):
    name = "casebook.subjects"
    label = "subjects"
    verbose_name = _("Tracked subjects")

    def ready(self):
        from . import access, category_services, home, selectors  # noqa: PLC0415 - ready(): the app's registration modules import models

        access.register_rules()
        register_namer("subjects.subject", selectors.current_names)
        register_home_panel(home.subject_stats)
        register_bureau_setup(category_services.bureau_setup)
        register_action("subject.import_check", _("Register workbook checked"))
        register_action("subject.import", _("Registers imported"))
