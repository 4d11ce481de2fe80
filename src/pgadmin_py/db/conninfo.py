"""DATABASE_URL and libpq's environment, read by libpq's own rules.

``psycopg.conninfo.conninfo_to_dict`` is libpq's ``PQconninfoParse``: every form psql accepts parses here the
same way (``postgresql:///db?host=/var/run/postgresql``, ``postgresql://u@h1:5432,h2:5433/db``,
``?sslmode=``/``?password=``/``?service=``, keyword/value strings such as ``host=db dbname=shop``). We only add
what libpq does not know: SQLAlchemy's driver suffix (``postgresql+asyncpg://``) is dropped, since pgadmin-py
always talks through psycopg 3.

This lives in ``db/`` and not beside :class:`~pgadmin_py.core.dburl.DatabaseUrl` because ``core/`` imports the
standard library only; ``Settings.from_env`` receives :func:`parse_database_url` from its caller.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import psycopg
from psycopg import pq
from psycopg.conninfo import conninfo_to_dict

from pgadmin_py.core.dburl import DatabaseUrl, InvalidDatabaseUrl

FORMS = ("postgresql://user:password@host:5432/dbname or another form psql accepts (postgresql:///dbname?host="
         "/var/run/postgresql, postgresql://user@host1:5432,host2:5432/dbname, postgresql://?service=name, "
         "host=... dbname=...)")
KEYWORDS_DOC = "https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS"
# Any of these set (and DATABASE_URL unset) means "connect where libpq's environment says", as psql does.
# PGPASSWORD, PGPASSFILE, PGSSLMODE... are honoured on every route, but alone they name no server.
ROUTE_VARIABLES = ("PGSERVICE", "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_SSLMODES = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}


def _hide_secret(message: str, text: str) -> str:
    """libpq quotes the offending part of the input in its messages: never echo a password from it."""
    for secret in re.findall(r"://[^:/@?]*:([^@/?]+)@", text) + re.findall(r"password\s*=\s*'?([^&\s']+)", text):
        message = message.replace(secret, "***")
    return message


def parse_database_url(text: str) -> DatabaseUrl:
    """``DATABASE_URL`` (a URL or keyword/value pairs) as libpq parses it; :class:`InvalidDatabaseUrl` says why
    not, without repeating a password."""
    text = text.strip()
    if match := _SCHEME.match(text):
        scheme = match.group(1).lower()
        if scheme.split("+", 1)[0] not in {"postgresql", "postgres"}:
            raise InvalidDatabaseUrl(f"the scheme {match.group(1)!r} is not PostgreSQL; expected {FORMS}")
        text = "postgresql://" + text[match.end():]
    elif "=" not in text:
        raise InvalidDatabaseUrl(f"it is neither a postgresql:// URL nor keyword=value pairs; expected {FORMS}")
    try:
        params = conninfo_to_dict(text)
    except psycopg.ProgrammingError as exc:
        detail = _hide_secret(str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable", text)
        hint = f" (libpq's options are listed at {KEYWORDS_DOC})" if "parameter" in detail or "option" in detail else ""
        raise InvalidDatabaseUrl(f"libpq cannot read it: {detail}{hint}") from None
    check_values(params)
    return DatabaseUrl.from_params(params, "DATABASE_URL")


def check_values(params: Mapping[str, object]) -> None:
    """Values libpq only rejects when connecting (a wrong port would read as "database unreachable")."""
    port = str(params.get("port") or "")
    if port and not all(p.strip().isdigit() and 0 < int(p) < 65536 for p in port.split(",") if p.strip()):
        raise InvalidDatabaseUrl(f"the port {port!r} is not a number from 1 to 65535")
    hosts = str(params.get("host") or "").split(",")
    if port and "," in port and len(port.split(",")) != len(hosts):
        raise InvalidDatabaseUrl(f"it names {len(hosts)} host(s) but {len(port.split(','))} ports; give one port, "
                                 "or one per host")
    sslmode = params.get("sslmode")
    if sslmode is not None and sslmode not in _SSLMODES:
        raise InvalidDatabaseUrl(f"sslmode={sslmode!r} is not one of {', '.join(sorted(_SSLMODES))}")


def libpq_environment(env: Mapping[str, str]) -> DatabaseUrl | None:
    """The connection libpq's environment names (``PGHOST``, ``PGUSER``, ``PGSERVICE``...), or None.

    The variables are mapped to keywords by libpq's own table (``PQconndefaults``). With ``PGSERVICE`` only
    the service is named and libpq does the rest at connect time, so the service file keeps precedence over
    the other variables, as in psql."""
    used = [name for name in ROUTE_VARIABLES if env.get(name, "").strip()]
    if not used:
        return None
    source = f"libpq environment ({', '.join(used)})"
    if env.get("PGSERVICE", "").strip():
        return DatabaseUrl.from_params({"service": env["PGSERVICE"].strip()}, source)
    params: dict[str, str] = {}
    for option in pq.Conninfo.get_defaults():
        variable = option.envvar.decode() if option.envvar else ""
        if variable and env.get(variable, "").strip():
            params[option.keyword.decode()] = env[variable].strip()
    try:
        check_values(params)
    except InvalidDatabaseUrl as exc:
        raise InvalidDatabaseUrl(f"the libpq environment is invalid: {exc}") from None
    return DatabaseUrl.from_params(params, source)
