"""WSGI entry point (gunicorn casebook.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casebook.settings")
application = get_wsgi_application()

# Production refuses to start while a demo account is active (SECURITY.md S7).
from casebook.accounts.demo import refuse_demo_accounts  # noqa: E402

refuse_demo_accounts()
