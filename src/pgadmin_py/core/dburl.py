"""Database URLs: normalisation to the driver we use, and masking for display.

Users paste URLs from their own apps (``postgres://``, ``postgresql+asyncpg://`` …); we accept the
PostgreSQL ones and always talk through psycopg 3. A URL is never shown with its password.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit, urlunsplit

_ACCEPTED_SCHEMES = {
    "postgresql",
    "postgres",
    "postgresql+psycopg",
    "postgresql+psycopg2",
    "postgresql+asyncpg",
    "postgresql+pg8000",
}
SQLALCHEMY_SCHEME = "postgresql+psycopg"


class InvalidDatabaseUrl(ValueError):
    """The text is not a PostgreSQL URL we can use; the message says why and shows the form."""


@dataclass(frozen=True, slots=True)
class DatabaseUrl:
    """A parsed PostgreSQL URL. ``str()`` of it is masked; use :meth:`sqlalchemy` or :meth:`libpq`."""

    scheme: str
    username: str | None
    password: str | None
    host: str | None
    port: int | None
    database: str
    query: str

    @classmethod
    def parse(cls, text: str) -> DatabaseUrl:
        text = text.strip()
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError as exc:
            raise InvalidDatabaseUrl(f"it is not a valid URL ({exc})") from None
        if parts.scheme not in _ACCEPTED_SCHEMES:
            shown = parts.scheme or "(none)"
            raise InvalidDatabaseUrl(
                f"the scheme {shown!r} is not PostgreSQL; expected postgresql://user:password@host:5432/dbname"
            )
        database = unquote(parts.path.lstrip("/"))
        socket_host = parse_qs(parts.query).get("host", [None])[0]
        if not (parts.hostname or socket_host):
            raise InvalidDatabaseUrl("it names no host; expected postgresql://user:password@host:5432/dbname")
        if not database:
            raise InvalidDatabaseUrl(
                "it names no database; add it after the host, e.g. postgresql://user@host:5432/dbname"
            )
        return cls(
            scheme=parts.scheme,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
            host=parts.hostname or socket_host,
            port=port,
            database=database,
            query=parts.query,
        )

    def _netloc(self, password: str | None) -> str:
        from urllib.parse import quote

        auth = ""
        if self.username:
            auth = quote(self.username, safe="")
            if password is not None:
                auth += ":" + password
            auth += "@"
        host = self.host if self.host and not self.host.startswith("/") else ""
        if host and ":" in host:
            host = f"[{host}]"
        return f"{auth}{host}{':' + str(self.port) if self.port else ''}"

    def _render(self, scheme: str, password: str | None, query: str | None = None) -> str:
        from urllib.parse import quote

        return urlunsplit(
            SplitResult(scheme, self._netloc(password), "/" + quote(self.database),
                        self.query if query is None else query, "")
        )

    def sqlalchemy(self) -> str:
        """The URL for SQLAlchemy with the psycopg 3 driver, password included: never log it."""
        from urllib.parse import quote

        pw = quote(self.password, safe="") if self.password is not None else None
        return self._render(SQLALCHEMY_SCHEME, pw)

    def libpq(self) -> str:
        """A ``postgresql://`` URL for libpq tools (pg_dump, psql) and users' env.py files."""
        from urllib.parse import quote

        pw = quote(self.password, safe="") if self.password is not None else None
        return self._render("postgresql", pw)

    def with_database(self, database: str) -> DatabaseUrl:
        return DatabaseUrl(self.scheme, self.username, self.password, self.host, self.port, database, self.query)

    def masked(self) -> str:
        """The URL with the password replaced by ``***``: safe for logs and pages."""
        from urllib.parse import parse_qsl, urlencode

        pairs = parse_qsl(self.query, keep_blank_values=True)
        query = None  # as written, unless it carries a secret (``?password=``)
        if any(k in {"password", "sslpassword"} for k, _ in pairs):
            query = urlencode([(k, "***" if k in {"password", "sslpassword"} else v) for k, v in pairs], safe="*/:")
        return self._render("postgresql", "***" if self.password else None, query)

    def label(self) -> str:
        """Short ``user@host:port/db`` label for the navigation bar and the startup report."""
        user = f"{self.username}@" if self.username else ""
        port = f":{self.port}" if self.port else ""
        return f"{user}{self.host}{port}/{self.database}"

    def __str__(self) -> str:
        return self.masked()

    def __repr__(self) -> str:
        return f"DatabaseUrl({self.masked()!r})"


def mask_urls_in(text: str) -> str:
    """Replace the password of every URL-looking ``scheme://user:password@`` in free text."""
    import re

    return re.sub(r"(\w[\w+.-]*://[^:/@\s]+:)([^@\s]+)(@)", r"\1***\3", text)
