"""Protected transmission (article 七(三); SECURITY.md D1): system checks that make a
production installation refuse to run ``check --deploy`` clean — and so refuse to be deployed by
``scripts/check_deploy.sh`` — while personal data would leave it unencrypted.

* ``retention.E101``: the SMTP e-mail backend without ``EMAIL_USE_TLS`` or ``EMAIL_USE_SSL``;
* ``retention.E102``: an SMS gateway webhook URL that is not ``https://``;
* ``retention.E103``: with ``CASEBOOK_DB_REQUIRE_TLS=1``, a PostgreSQL connection whose
  ``sslmode`` is not ``require``, ``verify-ca`` or ``verify-full``.

Outside production (``CASEBOOK_PRODUCTION`` unset) the checks are silent: a development
machine's console e-mail backend and local database need no TLS.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
TLS_SSLMODES = frozenset({"require", "verify-ca", "verify-full"})


def _https(url: str) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme == "https" and bool(parts.netloc)


def default_database() -> dict:
    return settings.DATABASES["default"]


def transmission_problems() -> list[checks.CheckMessage]:
    """The checks' findings for the current settings (production only)."""
    if not settings.PRODUCTION:
        return []
    problems = []
    if settings.EMAIL_BACKEND == SMTP_BACKEND and not (
        settings.EMAIL_USE_TLS or getattr(settings, "EMAIL_USE_SSL", False)
    ):
        problems.append(
            checks.Error(
                "E-mail would be sent over SMTP without TLS.",
                hint="Set EMAIL_USE_TLS=1 (STARTTLS, port 587) or EMAIL_USE_SSL=1 (port 465).",
                id="retention.E101",
            )
        )
    for name in ("CASEBOOK_SMS_WEBHOOK_URL",):
        url = getattr(settings, name, "")
        if url and not _https(url):
            problems.append(
                checks.Error(
                    f"{name} is not an https:// URL: messages would travel unencrypted.",
                    hint="Give the gateway's https:// address.",
                    id="retention.E102",
                )
            )
    database = default_database()
    if (
        getattr(settings, "CASEBOOK_DB_REQUIRE_TLS", False)
        and database["ENGINE"] == "django.db.backends.postgresql"
        and database.get("OPTIONS", {}).get("sslmode") not in TLS_SSLMODES
    ):
        problems.append(
            checks.Error(
                "The database connection does not require TLS (CASEBOOK_DB_REQUIRE_TLS=1).",
                hint="Add ?sslmode=verify-full (or require) to DATABASE_URL.",
                id="retention.E103",
            )
        )
    return problems


@checks.register(checks.Tags.security, deploy=True)
def transmission_check(app_configs=None, **kwargs):
    return transmission_problems()


def refuse_insecure_transmission() -> None:
    """Raise ``ImproperlyConfigured`` when a check above fails (``casebook.wsgi`` calls it, so
    a production web process does not start at all)."""

    problems = transmission_problems()
    if problems:
        raise ImproperlyConfigured("; ".join(f"{p.id}: {p.msg} {p.hint}" for p in problems))
