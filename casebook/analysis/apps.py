from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "casebook.analysis"
    label = "analysis"
    verbose_name = _("Analysis")

    def ready(self):
        from . import guards  # noqa: F401 - an assessment before feeding back
