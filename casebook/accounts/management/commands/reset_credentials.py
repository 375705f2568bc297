"""manage.py reset_credentials: a new temporary password (and, with --mfa, no second factor)
for an account — the operator's way for an administrator's lost password or phone, which no
other administrator may reset."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from casebook.accounts.models import User
from casebook.accounts.services import (
    TEMPORARY_PASSWORD_VALID,
    mfa_reset,
    user_issue_temporary_password,
)


class Command(BaseCommand):
    help = "Issue a temporary password for an account (shown once); --mfa also removes its 2FA."

    def add_arguments(self, parser):
        parser.add_argument("username", help="police number (警号)")
        parser.add_argument("--mfa", action="store_true", help="also reset the second factor")

    def handle(self, *args, username, mfa, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account {username}.")
        with transaction.atomic():
            password = user_issue_temporary_password(actor=None, user=user)
            if mfa:
                mfa_reset(actor=None, user=user)
        self.stdout.write(
            f"Temporary password for {user} (valid {TEMPORARY_PASSWORD_VALID.days} days, "
            f"must be changed at login): {password}"
        )
