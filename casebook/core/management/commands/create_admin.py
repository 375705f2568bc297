"""manage.py create_admin: the first system administrator of a new installation."""

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from casebook.accounts.roles import Role
from casebook.accounts.services import user_create
from casebook.core.choices import Classification, UnitKind
from casebook.core.models import Unit
from casebook.core.services import unit_create


class Command(BaseCommand):
    help = "Create the bureau (if none) and a system administrator account."

    def add_arguments(self, parser):
        parser.add_argument("username", help="police number (警号)")
        parser.add_argument("real_name")
        parser.add_argument("--bureau-name", default="")
        parser.add_argument("--bureau-code", default="")

    def handle(self, *args, username, real_name, bureau_name, bureau_code, **options):
        bureau = Unit.objects.filter(kind=UnitKind.BUREAU).order_by("pk").first()
        if bureau is None:
            if not (bureau_name and bureau_code):
                raise CommandError("No bureau yet: give --bureau-name and --bureau-code.")
            bureau = unit_create(
                actor=None, kind=UnitKind.BUREAU, name=bureau_name, code=bureau_code
            )
        password = getpass.getpass("Password (at least 12 characters): ")
        if password != getpass.getpass("Again: "):
            raise CommandError("The passwords differ.")
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
        self.stdout.write(f"System administrator {user} created.")
