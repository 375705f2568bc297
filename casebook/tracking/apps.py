from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from casebook.accounts.signals import credential_reset_done
from casebook.audit.labels import register_action
from casebook.core.bureaus import register_bureau_setup
from casebook.core.home import register_home_panel
from casebook.core.jobs import register_job


class TrackingConfig(AppConfig):
    name = "casebook.tracking"
    label = "tracking"
    verbose_name = _("Tracking tasks")

    def ready(self):
        from . import access, dossier, home, notify, services, tasks  # noqa: PLC0415 - ready(): the app's registration modules import models

        access.register_rules()
        dossier.register()  # the tasks card of a subject's overview
        register_job(tasks.create_scheduled_tasks)
        register_job(tasks.escalate_deadlines)
        register_job(tasks.send_notification_digests)  # daily, claimed per user and day
        register_action("notification.preferences", _("Notification preferences changed"))
        register_home_panel(home.my_tasks)
        register_home_panel(home.today)  # an officer's visits and tasks due today, shown first
        register_bureau_setup(services.bureau_setup)
        # a credential reset tells the officer and the requester (accounts sends the signal)
        credential_reset_done.connect(notify.credential_reset_notice, dispatch_uid="tracking")
