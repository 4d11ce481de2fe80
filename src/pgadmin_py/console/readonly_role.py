"""The SQL that makes a read-only role for pgadmin-py, shown when it connects as a superuser or an owner.

The console's guard refuses what can write, but a role that cannot write is the server's own proof:
SELECT on the tables (and those created later), no other privilege, and every transaction read-only by
default. Pure: no I/O; identifiers quoted where PostgreSQL needs it (its reserved words come from the server's
``pg_get_keywords()``, read with the dashboard's overview).
"""

from __future__ import annotations

import re
from collections.abc import Collection

DEFAULT_ROLE = "pgadmin_readonly"
_PLAIN = re.compile(r"[a-z_][a-z0-9_$]*")


def quote_ident(name: str, reserved: Collection[str]) -> str:
    """``name`` as PostgreSQL's ``quote_ident`` writes it: bare when it can be, else in double quotes
    (``reserved``: the reserved and type/function-name keywords)."""
    if _PLAIN.fullmatch(name) and name not in reserved:
        return name
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def read_only_role_sql(database: str, schemas: tuple[str, ...], owner: str, password: str,
                       reserved: Collection[str], role: str = DEFAULT_ROLE) -> str:
    """CREATE ROLE ... LOGIN, SELECT on every table of ``schemas`` now and later (those ``owner``
    creates), and ``default_transaction_read_only`` for every session of the role."""
    r, o = quote_ident(role, reserved), quote_ident(owner, reserved)
    lines = [
        f"CREATE ROLE {r} LOGIN PASSWORD {quote_literal(password)};",
        f"GRANT CONNECT ON DATABASE {quote_ident(database, reserved)} TO {r};",
    ]
    for schema in schemas:
        s = quote_ident(schema, reserved)
        lines += [
            f"GRANT USAGE ON SCHEMA {s} TO {r};",
            f"GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {r};",
            f"GRANT SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r};",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s} GRANT SELECT ON TABLES TO {r};",
        ]
    lines.append(f"ALTER ROLE {r} SET default_transaction_read_only = on;")
    return "\n".join(lines)
