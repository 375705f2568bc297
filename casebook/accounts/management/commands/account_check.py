"""manage.py account_check: demo, dormant and unprotected accounts (SECURITY.md S7).

Exits 1 in production while any demo account is active, so a deployment script can refuse to go
live with one."""

import sys
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from casebook.accounts.models import User
from casebook.accounts.services import mfa_required

DORMANT_AFTER = timedelta(days=90)


class Command(BaseCommand):
    help = "List demo accounts, dormant accounts and accounts missing a required second factor."

    def handle(self, *args, **options):
        now = timezone.now()
        active = User.objects.filter(is_active=True).select_related("unit").order_by("username")
        demo = list(active.filter(is_demo=True))
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
        for title, users in (
            ("demo accounts", demo),
            ("dormant accounts (90 days)", dormant),
            ("second factor required but not enrolled", unprotected),
        ):
            self.stdout.write(f"{title}: {len(users)}")
            for user in users:
                last = user.last_login.date().isoformat() if user.last_login else "never"
                self.stdout.write(
                    f"  {user.username}  {user.real_name}  {user.unit}  last login {last}"
                )
        if demo and settings.PRODUCTION:
            self.stderr.write("Demo accounts are active in production: disable them.")
            sys.exit(1)
