from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "casebook.analysis"
    label = "analysis"
    verbose_name = _("Analysis")

    def ready(self):
        from . import access, dossier, guards  # noqa: F401 - guards: an assessment to feed back

        access.register_rules()
        dossier.register()  # the assessments card of a subject's overview
        from casebook.core.jobs import register_job

        from .tasks import evaluate_warning_rules

        register_job(evaluate_warning_rules)
