"""The SQL shown on the dashboard to create a read-only role: quoting, and one block per schema."""

from __future__ import annotations

import pytest
from pglast.keywords import RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS

from pgadmin_py.console.readonly_role import quote_ident, read_only_role_sql
from pgadmin_py.console.statements import split

RESERVED = RESERVED_KEYWORDS | TYPE_FUNC_NAME_KEYWORDS  # what pg_get_keywords() lists as R and T


@pytest.mark.parametrize(("name", "quoted"), [
    ("public", "public"),
    ("pgadmin_readonly", "pgadmin_readonly"),
    ("Sales", '"Sales"'),
    ("my db", '"my db"'),
    ("user", '"user"'),  # a reserved word
    ('we"ird', '"we""ird"'),
    ("1st", '"1st"'),
])
def test_quote_ident(name: str, quoted: str) -> None:
    assert quote_ident(name, RESERVED) == quoted


def test_the_sql_parses_and_grants_only_reads() -> None:
    sql = read_only_role_sql("shop db", ("public", "Sales"), "owner", "pa'ss", RESERVED)
    statements = [s.text for s in split(sql)]
    assert statements[0] == "CREATE ROLE pgadmin_readonly LOGIN PASSWORD 'pa''ss'"
    assert statements[1] == 'GRANT CONNECT ON DATABASE "shop db" TO pgadmin_readonly'
    assert 'GRANT SELECT ON ALL TABLES IN SCHEMA "Sales" TO pgadmin_readonly' in statements
    assert ("ALTER DEFAULT PRIVILEGES FOR ROLE owner IN SCHEMA public GRANT SELECT ON TABLES TO pgadmin_readonly"
            in statements)
    assert statements[-1] == "ALTER ROLE pgadmin_readonly SET default_transaction_read_only = on"
    assert not any(word in sql for word in ("INSERT", "UPDATE", "DELETE", "ALL PRIVILEGES", "CREATE ON"))
