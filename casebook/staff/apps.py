from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    """The officers themselves (articles 五 and 八): file, pledge, summaries, training, supervision."""

    name = "casebook.staff"
    label = "staff"
    verbose_name = _("Officers")

    def ready(self):
        # one register() per module of the app; each imports models, so not before ready()
        from . import hooks  # noqa: PLC0415 - ready(): the registrations import the models

        hooks.register()  # officer file, pledge, training
        from . import supervision_hooks  # noqa: PLC0415 - ready(): the registrations import the models

        supervision_hooks.register()  # summaries and supervision: access, audit codes, job, menu
