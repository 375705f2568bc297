"""PostgreSQL helpers of scripts/check_production.sh (standard library + psycopg).

    pg_database.py url URL USER PASSWORD DBNAME   URL with another user, password and database
    pg_database.py drop ADMIN_URL DBNAME ROLE…    drop the database (if any), then the roles

ADMIN_URL is any database URL of a role allowed to create databases and roles (CI's).
"""

import sys
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import sql


def url(base: str, user: str, password: str, dbname: str) -> str:
    parts = urlsplit(base)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{quote(user)}:{quote(password, safe='')}@{host}:{parts.port or 5432}"
    return urlunsplit(parts._replace(netloc=netloc, path=f"/{dbname}"))


def drop(admin_url: str, dbname: str, *roles: str) -> None:
    # Connect to the maintenance database: the admin URL's own may be a test database in use.
    maintenance = urlunsplit(urlsplit(admin_url)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
        )
        for role in roles:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


if __name__ == "__main__":
    action, *args = sys.argv[1:]
    if action == "url":
        print(url(*args))
    elif action == "drop":
        drop(*args)
    else:
        sys.exit(f"unknown action {action!r}")
