"""manage.py account_check: demo, dormant and unprotected accounts (SECURITY.md S7).

Demo accounts are those ``load_demo`` created and any active account whose password is a known
demo password (every hash is verified: about 0.1 s an account). Exits 1 in production while one
is active, so a deployment script can refuse to go live with one; ``--disable-demo`` disables
them (audited)."""

import sys
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from casebook.accounts.demo import accounts_with_demo_password, active_demo_accounts
from casebook.accounts.models import User
from casebook.accounts.services import demo_accounts_disable, mfa_required

DORMANT_AFTER = timedelta(days=90)


class Command(BaseCommand):
    help = "List demo accounts, dormant accounts and accounts missing a required second factor."

    def add_arguments(self, parser):
        parser.add_argument(
            "--skip-password-scan",
            action="store_true",
            help="do not verify every account's password against the demo passwords (fast)",
        )
        parser.add_argument(
            "--disable-demo",
            action="store_true",
            help="disable the demo accounts found (audited as the installer)",
        )

    def handle(self, *args, skip_password_scan=False, disable_demo=False, **options):
        now = timezone.now()
        active = User.objects.filter(is_active=True).select_related("unit").order_by("username")
        demo = list(active_demo_accounts().select_related("unit"))
        demo_password = [] if skip_password_scan else accounts_with_demo_password(active)
        dormant = list(
            active.filter(
                Q(last_login__lt=now - DORMANT_AFTER)
                | Q(last_login__isnull=True, date_joined__lt=now - DORMANT_AFTER)
            )
        )
        with_device = set(
            TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True)
        )
        unprotected = [u for u in active if u.pk not in with_device and mfa_required(u)]
        sections = [("demo accounts", demo)]
        if not skip_password_scan:
            sections.append(("accounts with a known demo password", demo_password))
        sections += [
            ("dormant accounts (90 days)", dormant),
            ("second factor required but not enrolled", unprotected),
        ]
        for title, users in sections:
            self.stdout.write(f"{title}: {len(users)}")
            for user in users:
                last = user.last_login.date().isoformat() if user.last_login else "never"
                self.stdout.write(
                    f"  {user.username}  {user.real_name}  {user.unit}  last login {last}"
                )
        offending = {u.pk: u for u in [*demo, *demo_password]}
        if offending and disable_demo:
            count = demo_accounts_disable(actor=None, users=list(offending.values()))
            self.stdout.write(f"disabled {count} demo account(s)")
            return
        if offending and settings.PRODUCTION:
            self.stderr.write(
                "Demo accounts are active in production: disable them "
                "(manage.py account_check --disable-demo)."
            )
            sys.exit(1)
