from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "casebook.retention"
    label = "retention"
    verbose_name = _("Retention")

    def ready(self):
        from . import audit_review_tasks, backup_tasks, hooks, integrity, transmission_checks  # noqa: F401, PLC0415 - ready(): the app's registration modules import models; transmission_checks registers its checks on import

        audit_review_tasks.register()
        backup_tasks.register()
        integrity.register()
        hooks.register()  # review and destruction: access, audit codes, jobs, rule, menu
