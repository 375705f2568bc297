from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from casebook.core.bureaus import register_bureau_setup
from casebook.core.jobs import register_job


class AnalysisConfig(AppConfig):
    name = "casebook.analysis"
    label = "analysis"
    verbose_name = _("Analysis")

    def ready(self):
        from . import access, dossier, guards, rules, tasks  # noqa: F401, PLC0415 - ready(): registration modules (some register on import) import models

        access.register_rules()
        dossier.register()  # the assessments card of a subject's overview
        # guards: an assessment to feed back (registered when imported)
        register_job(tasks.evaluate_warning_rules)
        register_bureau_setup(rules.bureau_setup)
