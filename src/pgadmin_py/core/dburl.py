"""Where the database is: libpq's connection keywords, rendered for each consumer, masked for display.

A :class:`DatabaseUrl` holds the keyword/value pairs libpq itself parsed (``host``, ``port``, ``user``,
``password``, ``dbname``, ``sslmode``, ``service``...). Parsing text into them follows libpq's own rules
and needs psycopg, so it lives in :mod:`pgadmin_py.db.conninfo`; this module stays stdlib-only and only
renders: a keyword/value conninfo for psycopg, a URL that both libpq and SQLAlchemy (1.4 and 2.x, psycopg2,
psycopg, asyncpg) read for the user's env.py, and masked text for pages and logs. What libpq fills in by
itself at connect time (``~/.pgpass``, the service file, ``PG*`` variables not written in the URL) is left to
libpq: it is never copied into a command line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

SECRET_KEYWORDS = frozenset({"password", "sslpassword", "oauth_client_secret"})  # libpq's "*" options
SQLALCHEMY_SCHEME = "postgresql+psycopg"
_ORDER = ("user", "password", "host", "hostaddr", "port", "dbname")  # the URL's own parts first
_NEEDS_QUOTES = re.compile(r"[\s'\\]")


class InvalidDatabaseUrl(ValueError):
    """The text is not a PostgreSQL connection string we can use; the message says why and shows the form."""


def _is_socket_dir(host: str) -> bool:
    """libpq: a host that looks like an absolute path (or ``@abstract``) is a Unix-domain socket directory."""
    return host.startswith(("/", "@")) or bool(re.match(r"^[A-Za-z]:[\\/]", host))


def conninfo_value(value: str) -> str:
    """One value of a keyword/value conninfo string, quoted the way libpq reads it back."""
    if value and not _NEEDS_QUOTES.search(value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


@dataclass(frozen=True, slots=True)
class DatabaseUrl:
    """libpq connection keywords, and where they came from. ``str()`` is masked; no method logs anything.

    ``source`` says how they were found (``DATABASE_URL``, ``libpq environment (PGHOST, PGUSER)``,
    ``compose discovery``, ``embedded``): the startup report shows it.
    """

    params: tuple[tuple[str, str], ...]
    source: str = "DATABASE_URL"

    @classmethod
    def from_params(cls, params: Mapping[str, object], source: str = "DATABASE_URL") -> DatabaseUrl:
        """Keywords in a canonical order (URL parts first), empty values dropped (libpq ignores them too)."""
        clean = {k: str(v) for k, v in params.items() if v is not None and str(v) != ""}
        ordered = [k for k in _ORDER if k in clean] + sorted(k for k in clean if k not in _ORDER)
        return cls(tuple((k, clean[k]) for k in ordered), source)

    def get(self, keyword: str) -> str | None:
        return next((v for k, v in self.params if k == keyword), None)

    def replace(self, source: str | None = None, **changes: object) -> DatabaseUrl:
        """A copy with some keywords changed (``None`` removes one)."""
        merged: dict[str, object] = dict(self.params)
        merged.update(changes)
        return DatabaseUrl.from_params(merged, self.source if source is None else source)

    @property
    def username(self) -> str | None:
        return self.get("user")

    @property
    def password(self) -> str | None:
        return self.get("password")

    @property
    def host(self) -> str | None:
        """The first host (libpq tries them in order)."""
        hosts = self.get("host") or self.get("hostaddr")
        return hosts.split(",")[0] if hosts else None

    @property
    def port(self) -> int | None:
        ports = self.get("port")
        first = ports.split(",")[0] if ports else ""
        return int(first) if first.isdigit() else None

    @property
    def database(self) -> str:
        """The database name libpq will use when none is given: the user name (empty when unknown here)."""
        return self.get("dbname") or self.get("user") or ""

    def endpoints(self) -> list[tuple[str, str]]:
        """``(host, port)`` per host libpq will try; a single port applies to every host."""
        hosts = (self.get("host") or self.get("hostaddr") or "").split(",")
        ports = (self.get("port") or "").split(",")
        if len(ports) == 1:
            ports = ports * len(hosts)
        return [(h, ports[i] if i < len(ports) else "") for i, h in enumerate(hosts) if h or len(hosts) > 1]

    @property
    def leaves_to_libpq(self) -> bool:
        """libpq decides part of where at connect time: the user, the host, a service, or one of several hosts."""
        host = self.get("host") or self.get("hostaddr") or ""
        return not self.username or not host or "," in host or self.get("service") is not None

    def with_database(self, database: str) -> DatabaseUrl:
        return self.replace(dbname=database)

    def without_secrets(self) -> DatabaseUrl:
        return DatabaseUrl(tuple((k, v) for k, v in self.params if k not in SECRET_KEYWORDS), self.source)

    def conninfo(self) -> str:
        """The keyword/value conninfo for psycopg and libpq, password included: never log it."""
        return " ".join(f"{k}={conninfo_value(v)}" for k, v in self.params)

    def public_conninfo(self) -> str:
        """The conninfo without secrets: what a child's command line may carry (``pg_dump --dbname``)."""
        return self.without_secrets().conninfo()

    def secret_env(self) -> dict[str, str]:
        """Secrets for a libpq child, through its environment only (``PGPASSWORD``; ``ps`` shows argv to all)."""
        password = self.password
        return {"PGPASSWORD": password} if password is not None else {}

    def _url(self, scheme: str, *, masked: bool = False) -> str:
        def value(keyword: str, text: str) -> str:
            return "***" if masked and keyword in SECRET_KEYWORDS else quote(text, safe="/,:@")

        user, password = self.username, self.password
        rest = {k: v for k, v in self.params if k not in {"user", "password", "dbname"}}
        auth = ""
        if user is not None:
            auth = quote(user, safe="")
            if password is not None:
                auth += ":" + ("***" if masked else quote(password, safe=""))
            auth += "@"
        elif password is not None:
            rest = {"password": password, **rest}
        netloc = ""
        host, port = rest.get("host"), rest.get("port")
        if host and "," not in host and not _is_socket_dir(host) and "," not in (port or ""):
            netloc = f"[{host}]" if ":" in host else host
            netloc += f":{port}" if port else ""
            rest.pop("host")
            rest.pop("port", None)
        elif host and port and "," in host and "," not in port:  # one port for every host: SQLAlchemy wants one each
            rest["port"] = ",".join([port] * len(host.split(",")))
        dbname = self.get("dbname")
        path = "/" + quote(dbname, safe="") if dbname is not None else "/"
        query = "&".join(f"{k}={value(k, v)}" for k, v in rest.items())
        return f"{scheme}://{auth}{netloc}{path}" + (f"?{query}" if query else "")

    def libpq(self) -> str:
        """A ``postgresql://`` URL, password included, that libpq, psql and SQLAlchemy all read the same way:
        for psycopg and the user's env.py. One TCP host goes in the authority (``postgresql://u:p@db:5432/shop``);
        sockets and several hosts go in the query (``?host=/var/run/postgresql``, ``?host=h1,h2&port=5432,5433``),
        which SQLAlchemy hands to the driver unchanged."""
        return self._url("postgresql")

    def sqlalchemy(self) -> str:
        """The same URL with the psycopg 3 driver named, for SQLAlchemy in our own process."""
        return self._url(SQLALCHEMY_SCHEME)

    def masked(self) -> str:
        """The URL with every secret replaced by ``***``: safe for logs and pages."""
        return self._url("postgresql", masked=True)

    def label(self) -> str:
        """Short ``user@host:port/db`` for the navigation bar and the startup report."""
        user = f"{self.username}@" if self.username else ""
        parts = [(f"[{h}]" if _is_socket_dir(h) or ":" in h else h) + (f":{p}" if p else "")
                 for h, p in self.endpoints()]
        where = ",".join(parts)
        if not where:
            service = self.get("service")
            where = f"[service {service}]" if service else "[local socket]"
        dbname = self.get("dbname")
        return f"{user}{where}" + (f"/{dbname}" if dbname else "")

    def __str__(self) -> str:
        return self.masked()

    def __repr__(self) -> str:
        return f"DatabaseUrl({self.masked()!r}, source={self.source!r})"


_URL_USERINFO = re.compile(r"(\w[\w+.-]*://[^:/@\s]+:)([^@\s]+)(@)")
_URL_QUERY_SECRET = re.compile(r"([?&](?:sslpassword|password|oauth_client_secret)=)([^&\s'\"]+)", re.IGNORECASE)
# keyword/value form (not a URL's query, handled above): the whole value, quoted or not; PGPASSWORD=... too
_CONNINFO_SECRET = re.compile(r"((?<![?&\w])(?:(?:pg|ssl)?password|oauth_client_secret)\s*=\s*)"
                              r"('(?:[^'\\]|\\.)*'|[^\s'\"]+)", re.IGNORECASE)


def mask_urls_in(text: str) -> str:
    """Replace the password in free text: a URL's ``user:password@`` and ``?password=``, and a keyword/value
    conninfo's ``password=...``, however a library or the project printed it."""
    text = _URL_USERINFO.sub(r"\1***\3", text)
    text = _URL_QUERY_SECRET.sub(r"\1***", text)
    return _CONNINFO_SECRET.sub(r"\1***", text)
