"""manage.py db_roles: PostgreSQL roles that keep the audit trail append-only (SECURITY.md L3).

The role that owns a table can ``ALTER TABLE … DISABLE TRIGGER`` and then rewrite it, so the
application must not run as the owner. Two roles:

* the **owner** (``casebook_owner``) owns the database, the schema and every table; it runs
  ``manage.py migrate`` and nothing else;
* the **runtime** role (``casebook``) that gunicorn and the workers use: it owns nothing, reads and
  writes the tables through grants, and on the audit table holds only SELECT and INSERT.

``--print-sql`` prints the set-up for a superuser (``psql -v owner_password=… -v
runtime_password=… -f``); after every ``migrate``, ``--apply-grants`` (connected as the owner)
grants the runtime role the tables and takes UPDATE, DELETE and TRUNCATE on the audit table away
again; ``--print-grants`` prints that SQL instead.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from casebook.audit.models import AuditEvent

#: Tables the runtime role may only read and append to.
APPEND_ONLY = (AuditEvent._meta.db_table,)


def quote(identifier: str) -> str:
    if not identifier.replace("_", "").isalnum() or not identifier[0].isalpha():
        raise CommandError(f"Not a plain SQL identifier: {identifier!r}")
    return f'"{identifier}"'


def setup_sql(database: str, owner: str, runtime: str) -> str:
    db, own, run = quote(database), quote(owner), quote(runtime)
    return f"""-- Casebook database roles. Run once as a PostgreSQL superuser:
--   psql -v owner_password='…' -v runtime_password='…' -f casebook-roles.sql
CREATE ROLE {own} LOGIN PASSWORD :'owner_password';
CREATE ROLE {run} LOGIN PASSWORD :'runtime_password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE DATABASE {db} OWNER {own} ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE {db} FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {run};
\\connect {db}
ALTER SCHEMA public OWNER TO {own};
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO {run};
CREATE EXTENSION IF NOT EXISTS pg_trgm;
-- Tables the owner creates (every migrate) are readable and writable by the runtime role at
-- once; after each migrate, `manage.py db_roles --apply-grants` (as the owner) takes UPDATE,
-- DELETE and TRUNCATE on the audit table away again.
ALTER DEFAULT PRIVILEGES FOR ROLE {own} IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {run};
ALTER DEFAULT PRIVILEGES FOR ROLE {own} IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO {run};
"""


def grants_sql(runtime: str) -> str:
    run = quote(runtime)
    lines = [
        "-- Re-apply as the owner after every migrate (idempotent).",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {run};",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {run};",
    ]
    for table in APPEND_ONLY:
        lines += [
            f"REVOKE ALL ON {quote(table)} FROM {run};",
            f"GRANT SELECT, INSERT ON {quote(table)} TO {run};",
        ]
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "PostgreSQL owner and runtime roles: the runtime role cannot rewrite the audit log."

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--print-sql", action="store_true", help="set-up for a superuser")
        action.add_argument("--print-grants", action="store_true", help="grants after migrate")
        action.add_argument(
            "--apply-grants", action="store_true", help="apply the grants (connected as owner)"
        )
        parser.add_argument("--database", default="casebook")
        parser.add_argument("--owner", default="casebook_owner")
        parser.add_argument("--runtime", default="casebook")

    def handle(self, *args, print_sql, print_grants, apply_grants, database, owner, runtime, **_):
        if print_sql:
            self.stdout.write(setup_sql(database, owner, runtime), ending="")
        elif print_grants:
            self.stdout.write(grants_sql(runtime), ending="")
        else:
            if connection.vendor != "postgresql":
                raise CommandError("Database roles are a PostgreSQL matter (DATABASE_URL).")
            with connection.cursor() as cursor:
                cursor.execute(grants_sql(runtime))
            self.stdout.write(f"Grants applied for {runtime}.")
