"""Create or drop a throwaway PostgreSQL database for scripts/check_production.sh.

    pg_database.py create ADMIN_URL NAME   prints the URL of the new, empty database
    pg_database.py drop ADMIN_URL NAME

ADMIN_URL is any database URL of a role allowed to create databases (CI's DATABASE_URL).
"""

import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def main(action: str, admin_url: str, name: str) -> None:
    # The maintenance database: the admin URL's own one may be the very test database in use.
    with psycopg.connect(with_database(admin_url, "postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if action == "create":
            conn.execute(
                sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(
                    sql.Identifier(name)
                )
            )
            print(with_database(admin_url, name))


if __name__ == "__main__":
    main(*sys.argv[1:])
