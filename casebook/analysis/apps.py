from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "casebook.analysis"
    label = "analysis"
    verbose_name = _("Analysis")

    def ready(self):
        from . import access, guards  # noqa: F401 - guards: an assessment before feeding back

        access.register_rules()
