"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casebook.settings")
application = get_asgi_application()

# Production refuses to start while a demo account is active (SECURITY.md S7).
from casebook.accounts.demo import refuse_demo_accounts  # noqa: E402

refuse_demo_accounts()
