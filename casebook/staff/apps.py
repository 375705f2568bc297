from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    """The officers themselves (articles 五 and 八): file, pledge, summaries, training, supervision."""

    name = "casebook.staff"
    label = "staff"
    verbose_name = _("Officers")

    def ready(self):
        from . import supervision_hooks  # noqa: PLC0415 - ready(): the registrations import the models

        supervision_hooks.register()  # summaries and supervision: access, audit codes, job, menu
