from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The composition root, above every other app: what works on all of them at once (the demo
    data of ``manage.py load_demo``). Nothing imports it."""

    name = "casebook.site"
    label = "site"
    verbose_name = _("Site")
