"""manage.py create_admin: the first system administrator of a new installation."""

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from casebook.accounts.roles import Role
from casebook.accounts.services import unit_create, user_create
from casebook.core.choices import Classification, UnitKind
from casebook.core.models import Unit


class Command(BaseCommand):
    help = "Create the bureau (if none) and a system administrator account."

    def add_arguments(self, parser):
        parser.add_argument("username", help="police number (警号)")
        parser.add_argument("real_name")
        parser.add_argument("--bureau-name", default="")
        parser.add_argument("--bureau-code", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input (scripted installs)",
        )

    def handle(
        self, *args, username, real_name, bureau_name, bureau_code, password_stdin, **options
    ):
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = getpass.getpass("Password (at least 12 characters): ")
            if password != getpass.getpass("Again: "):
                raise CommandError("The passwords differ.")
        with transaction.atomic():  # a refused password leaves no bureau behind either
            user = self._create(username, real_name, bureau_name, bureau_code, password)
        self.stdout.write(f"System administrator {user} created.")

    def _create(self, username, real_name, bureau_name, bureau_code, password):
        bureau = Unit.objects.filter(kind=UnitKind.BUREAU).order_by("pk").first()
        if bureau is None:
            if not (bureau_name and bureau_code):
                raise CommandError("No bureau yet: give --bureau-name and --bureau-code.")
            bureau = unit_create(
                actor=None, kind=UnitKind.BUREAU, name=bureau_name, code=bureau_code
            )
        try:
            user = user_create(
                actor=None,
                username=username,
                real_name=real_name,
                unit=bureau,
                password=password,
                roles={Role.SYSTEM_ADMIN},
                clearance=Classification.PUBLIC,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        return user
