from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    """Work assessment (article 六): figures from the records, spot checks, opinions,
    quarterly assessment, rewards and discipline."""

    name = "casebook.assessment"
    label = "assessment"
    verbose_name = _("Work assessment")

    def ready(self):
        from . import hooks  # noqa: PLC0415 - ready(): the registrations import the models

        hooks.register()
