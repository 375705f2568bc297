from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelConfig(AppConfig):
    name = "casebook.intel"
    label = "intel"
    verbose_name = _("Information")

    def ready(self):
        from . import access, dossier, guards  # noqa: F401 - guards registers the tracking guards

        access.register_rules()
        dossier.register()  # the records tab of a subject, the records of a task
