"""System checks of the accounts app."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .demo import refuse_demo_accounts


@checks.register(checks.Tags.security, deploy=True)
def demo_accounts_check(app_configs=None, **kwargs):
    """accounts.E001: `check --deploy` fails in production while a demo account is active."""

    try:
        refuse_demo_accounts()
    except ImproperlyConfigured as exc:
        return [
            checks.Error(
                str(exc),
                hint="manage.py account_check lists them; --disable-demo disables them.",
                id="accounts.E001",
            )
        ]
    return []
