from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubjectsConfig(AppConfig):
    name = "casebook.subjects"
    label = "subjects"
    verbose_name = _("Tracked subjects")

    def ready(self):
        from . import access

        access.register_rules()
