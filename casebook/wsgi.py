"""WSGI entry point (gunicorn casebook.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casebook.settings")
application = get_wsgi_application()

# Production refuses to start while a demo account is active (SECURITY.md S7).
from casebook.accounts.demo import refuse_demo_accounts  # noqa: E402

refuse_demo_accounts()

# ... nor while personal data would travel without TLS (article 七(三); retention.E101–E103).
from casebook.retention.transmission_checks import refuse_insecure_transmission  # noqa: E402

refuse_insecure_transmission()
