"""Demo accounts never work in production (SECURITY.md S7, GB/T 22239 §8.1.4.2 b/c).

The demo password is published (README), so an account that carries it is a shared account.
Three defences, cheapest first, none of which hashes passwords at start-up:

* ``load_demo`` marks every account it creates ``is_demo``; a production process refuses to
  start while any such account is active (the WSGI/ASGI guard and the ``check --deploy`` error
  ``accounts.E001`` both call :func:`refuse_demo_accounts`, one indexed query);
* in production the login form refuses a known demo password whoever types it, and any flagged
  account (:func:`login_refused`): a plain comparison of what was typed, no hashing;
* ``manage.py account_check`` verifies every active account's hash against the known demo
  passwords (:func:`accounts_with_demo_password`, about 0.1 s an account with Argon2), so one
  whose password was set to the demo one by hand is found as well; it exits 1 in production.
"""

import logging

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from .models import User

logger = logging.getLogger(__name__)

#: Every password ever published with demo data (README, load_demo). Add, never remove.
DEMO_PASSWORDS: tuple[str, ...] = ("jiangzhou-demo-2026",)
#: The password ``load_demo`` gives its accounts.
DEMO_PASSWORD = DEMO_PASSWORDS[0]


def is_demo_password(raw: str) -> bool:
    return raw in DEMO_PASSWORDS


def active_demo_accounts():
    """Active accounts created as demo accounts (one indexed query)."""
    return User.objects.filter(is_active=True, is_demo=True).order_by("username")


def accounts_with_demo_password(users=None) -> list[User]:
    """Active accounts whose stored hash verifies against a known demo password.

    Costs one hash per account and demo password: for ``account_check``, not for start-up. The
    stored hash is only read (no upgrade on match), so the scan changes nothing."""
    users = User.objects.filter(is_active=True) if users is None else users
    found = []
    for user in users.order_by("username"):
        if not user.has_usable_password():
            continue
        if any(check_password(raw, user.password) for raw in DEMO_PASSWORDS):
            found.append(user)
    return found


def login_refused(user: User, raw_password: str) -> bool:
    """In production, a demo account or the demo password gives no session."""
    return bool(settings.PRODUCTION) and (user.is_demo or is_demo_password(raw_password))


def refuse_demo_accounts() -> None:
    """Start-up guard of a production process: raise while an active demo account exists.

    A database that cannot be read yet (not migrated, not reachable) is logged and let through:
    the login form still refuses demo accounts, and ``account_check`` reports them."""
    if not settings.PRODUCTION:
        return
    try:
        usernames = list(active_demo_accounts().values_list("username", flat=True)[:20])
    except DatabaseError as exc:
        logger.warning("demo-account check skipped: the database cannot be read (%s)", exc)
        return
    if usernames:
        raise ImproperlyConfigured(
            "Demo accounts are active in production (CASEBOOK_PRODUCTION=1): "
            f"{', '.join(usernames)}. Production refuses to start with them: "
            "`manage.py account_check --disable-demo` disables them (audited)."
        )
