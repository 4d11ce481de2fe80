"""The SQL that makes a read-only role for pgadmin-py, shown when it connects as a superuser or an owner.

The console's guard refuses what can write, but a role that cannot write is the server's own proof:
SELECT on the tables (and those created later), no other privilege, and every transaction read-only by
default. Pure: no I/O; identifiers quoted where PostgreSQL needs it.
"""

from __future__ import annotations

import re

from pglast.keywords import RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS

DEFAULT_ROLE = "pgadmin_readonly"
_PLAIN = re.compile(r"[a-z_][a-z0-9_$]*")


def quote_ident(name: str) -> str:
    """``name`` as PostgreSQL's ``quote_ident`` writes it: bare when it can be, else in double quotes."""
    if _PLAIN.fullmatch(name) and name not in RESERVED_KEYWORDS and name not in TYPE_FUNC_NAME_KEYWORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def read_only_role_sql(database: str, schemas: tuple[str, ...], owner: str, password: str,
                       role: str = DEFAULT_ROLE) -> str:
    """CREATE ROLE ... LOGIN, SELECT on every table of ``schemas`` now and later (those ``owner``
    creates), and ``default_transaction_read_only`` for every session of the role."""
    r = quote_ident(role)
    lines = [
        f"CREATE ROLE {r} LOGIN PASSWORD {quote_literal(password)};",
        f"GRANT CONNECT ON DATABASE {quote_ident(database)} TO {r};",
    ]
    for schema in schemas:
        s = quote_ident(schema)
        lines += [
            f"GRANT USAGE ON SCHEMA {s} TO {r};",
            f"GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {r};",
            f"GRANT SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r};",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {quote_ident(owner)} IN SCHEMA {s} GRANT SELECT ON TABLES TO {r};",
        ]
    lines.append(f"ALTER ROLE {r} SET default_transaction_read_only = on;")
    return "\n".join(lines)
