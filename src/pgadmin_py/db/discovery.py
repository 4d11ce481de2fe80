"""Zero-config in compose: find the PostgreSQL service next to us when nothing names a server.

In a container (``PGADMIN_PY_IN_CONTAINER=1``, set by our image) with neither ``DATABASE_URL`` nor libpq's
environment, the compose service names ``postgres``, ``db`` and ``database`` are tried on 5432 (``DISCOVER_HOSTS``
replaces the list), with the credentials the official image is configured by (``POSTGRES_USER``,
``POSTGRES_PASSWORD``, ``POSTGRES_DB``) when the compose file shares them with us.

Every candidate is tried at once, in its own daemon thread, with deadlines: a name that does not resolve costs
the resolver's answer (a few milliseconds), a resolver that does not answer is given up after 1 s (glibc would
retry a dropped query after 5 s), a port that nobody listens on costs a refused TCP connect, and only a port that
accepts one gets a real libpq connection (2 s at most). A name that resolves but does not listen yet is the
database container still starting: it is taken, and the monitor waits for it.
"""

from __future__ import annotations

import ipaddress
import queue
import re
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import psycopg

from pgadmin_py.core.dburl import DatabaseUrl, mask_urls_in
from pgadmin_py.db.conninfo import libpq_environment
from pgadmin_py.db.engine import APPLICATION_NAME

DEFAULT_PORT = 5432
DEADLINE_SECONDS = 3.0  # the whole search, whatever the resolver does
RESOLVE_SECONDS = 1.0  # a name not resolved by then is given up
TCP_TIMEOUT_SECONDS = 0.5
LIBPQ_TIMEOUT_SECONDS = 2  # libpq's smallest connect_timeout
NEEDS_CREDENTIALS = frozenset({"28P01", "28000"})  # invalid_password, invalid_authorization_specification
SOURCE = "compose discovery"


@dataclass(frozen=True, slots=True)
class Probe:
    """What one candidate said."""

    candidate: str
    url: DatabaseUrl | None = None  # connected with these settings
    asks_credentials: bool = False  # a PostgreSQL server answered and refused the credentials we had
    note: str = ""
    waiting: bool = False  # a compose service of that name exists (it resolves) but does not listen yet


@dataclass(frozen=True, slots=True)
class Discovery:
    """The outcome: a server we can use, or one that needs credentials, or nothing (the demo then)."""

    url: DatabaseUrl | None
    needs_credentials: DatabaseUrl | None  # host, port, user and database found; the password asked on a page
    probes: tuple[Probe, ...]
    seconds: float

    def summary(self) -> str:
        """One line for the startup report: what was tried and what each candidate said."""
        tried = "; ".join(f"{p.candidate}: {p.note}" for p in self.probes)
        return f"{tried} ({self.seconds:.2f} s)"


def split_candidate(item: str) -> tuple[str, int]:
    host, _, port = item.rpartition(":") if item.count(":") == 1 else (item, "", "")
    return host, int(port) if port else DEFAULT_PORT


def official_image_credentials(env: Mapping[str, str]) -> tuple[str, str | None, list[str]]:
    """User, password and database names to try, as the official postgres image derives them: ``POSTGRES_USER``
    (default postgres), ``POSTGRES_PASSWORD``, ``POSTGRES_DB`` (default: the user), then ``postgres``."""
    user = env.get("POSTGRES_USER", "").strip() or "postgres"
    password = env.get("POSTGRES_PASSWORD") or None
    databases = [env.get("POSTGRES_DB", "").strip() or user]
    if "postgres" not in databases:
        databases.append("postgres")
    return user, password, databases


def describe_failure(exc: BaseException) -> str:
    """The server's own reason, without libpq's "connection to server at ..., port ... failed: FATAL:" framing
    (the page and the report already say which server)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[-1] if lines else type(exc).__name__
    if "no password supplied" in text:
        return "no password was given"
    reason = re.split(r"FATAL:\s*|failed:\s*", text)[-1].strip() or text
    return mask_urls_in(reason[:1].upper() + reason[1:])


def try_connect(url: DatabaseUrl, timeout: int = LIBPQ_TIMEOUT_SECONDS) -> psycopg.OperationalError | None:
    """Connect once with ``url``; the error, or None when the server accepted it."""
    try:
        psycopg.connect(url.conninfo(), connect_timeout=timeout, application_name=APPLICATION_NAME).close()
    except psycopg.OperationalError as exc:
        return exc
    return None


def needs_credentials(exc: psycopg.OperationalError) -> bool:
    """The server answered and refused who we said we were (not: unreachable)."""
    if getattr(exc, "sqlstate", None) in NEEDS_CREDENTIALS:
        return True
    text = str(exc)
    return "no password supplied" in text or "password authentication failed" in text


Resolver = Callable[..., "list[tuple[Any, ...]]"]  # socket.getaddrinfo's shape


def _probe(candidate: str, env: Mapping[str, str], resolved: Callable[[str], None], resolver: Resolver) -> Probe:
    host, port = split_candidate(candidate)
    try:
        infos = resolver(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return Probe(candidate, note="no such host")
    resolved(candidate)
    family, kind, proto, _, address = infos[0]
    port = int(address[1])  # what the TCP check reached is what libpq connects to (hostaddr and this port)
    user, password, databases = official_image_credentials(env)
    try:
        with socket.socket(family, kind, proto) as sock:
            sock.settimeout(TCP_TIMEOUT_SECONDS)
            sock.connect(address)
    except OSError as exc:
        silent = "nothing listens" if isinstance(exc, ConnectionRefusedError) else "no answer"
        if _is_ip(host):
            return Probe(candidate, note=silent)
        # The name exists on the compose network: that is the database, starting after us (depends_on without a
        # health condition). Take it; the monitor waits for it as it waits for any DATABASE_URL.
        url = DatabaseUrl.from_params({"host": host, "port": port, "user": user, "password": password,
                                       "dbname": databases[0]}, SOURCE)
        return Probe(candidate, url, note=f"the name resolves, {silent} yet: waiting for it", waiting=True)
    note = ""
    for database in databases:
        url = DatabaseUrl.from_params({"host": host, "hostaddr": str(address[0]), "port": port, "user": user,
                                       "password": password, "dbname": database}, SOURCE)
        error = try_connect(url)
        if error is None:
            how = "POSTGRES_USER/POSTGRES_PASSWORD" if password else f"user {user}, no password"
            return Probe(candidate, url.replace(hostaddr=None), note=f"connected as {how}")
        if needs_credentials(error):
            asked = url.replace(hostaddr=None, password=None)
            return Probe(candidate, asked, asks_credentials=True,
                         note=f"PostgreSQL answered and asks for credentials ({describe_failure(error)})")
        if getattr(error, "sqlstate", None) != "3D000":  # not "database does not exist": stop trying names
            return Probe(candidate, note=f"answered, but: {describe_failure(error)}")
        note = describe_failure(error)
    return Probe(candidate, note=f"answered, but: {note}")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def discover(candidates: tuple[str, ...], env: Mapping[str, str], deadline: float = DEADLINE_SECONDS,
             resolve_deadline: float = RESOLVE_SECONDS, resolver: Resolver = socket.getaddrinfo) -> Discovery:
    """Probe every candidate at once; the first usable one in list order wins. A name the resolver has not
    answered for within ``resolve_deadline`` is given up (a compose service name resolves at once; a resolver
    that drops a query retries after 5 s), the rest within ``deadline``. ``resolver``: ``socket.getaddrinfo``,
    or a test's map of compose names to real servers."""
    started = time.monotonic()
    candidates = tuple(dict.fromkeys("{}:{}".format(*split_candidate(c)) for c in candidates))  # host:port, once
    answers: queue.Queue[Probe | str] = queue.Queue()  # a str: that candidate's name resolved
    for candidate in candidates:
        # Daemon threads: a resolver that hangs past the deadline must not keep the process alive.
        threading.Thread(target=lambda c=candidate: answers.put(_probe(c, env, answers.put, resolver)), daemon=True,
                         name=f"discover {candidate}").start()
    found: dict[str, Probe] = {}
    resolved: set[str] = set()
    while len(found) < len(candidates):
        elapsed = time.monotonic() - started
        unresolved = [c for c in candidates if c not in resolved and c not in found]
        if unresolved and elapsed >= resolve_deadline:
            for c in unresolved:
                found[c] = Probe(c, note=f"the resolver did not answer within {resolve_deadline:g} s")
            continue
        until = resolve_deadline if unresolved else deadline
        try:
            answer = answers.get(timeout=max(until - elapsed, 0.0))
        except queue.Empty:
            if until >= deadline:
                break
            continue
        if isinstance(answer, str):
            resolved.add(answer)
        elif answer.candidate not in found:
            found[answer.candidate] = answer
    probes = tuple(found.get(c) or Probe(c, note=f"no answer within {deadline:g} s") for c in candidates)
    seconds = time.monotonic() - started
    usable = next((p.url for p in probes if p.url is not None and not (p.asks_credentials or p.waiting)), None)
    asking = next((p.url for p in probes if p.asks_credentials), None)
    if usable is None and asking is None:
        usable = next((p.url for p in probes if p.waiting), None)
    return Discovery(usable, None if usable is not None else asking, probes, seconds)


@dataclass(frozen=True, slots=True)
class Located:
    """Where the database is, and how that was found out (the startup report's ``found`` line)."""

    url: DatabaseUrl | None  # None: nothing names or answers (the embedded demo then), or credentials needed
    how: str
    needs_credentials: DatabaseUrl | None = None


def locate(url: DatabaseUrl | None, candidates: tuple[str, ...], env: Mapping[str, str]) -> Located:
    """``DATABASE_URL``, else libpq's environment (``PGHOST``, ``PGSERVICE``...), else compose discovery (when
    there are candidates: in a container, or ``DISCOVER_HOSTS``), else nothing."""
    if url is not None:
        return Located(url, url.source)
    if (from_env := libpq_environment(env)) is not None:
        return Located(from_env, from_env.source)
    if not candidates:
        return Located(None, "nothing set (no DATABASE_URL, no PGHOST/PGSERVICE...)")
    found = discover(candidates, env)
    if found.url is not None:
        return Located(found.url, f"{SOURCE}: {found.summary()}")
    if found.needs_credentials is not None:
        return Located(None, f"{SOURCE}: {found.summary()}", found.needs_credentials)
    return Located(None, f"{SOURCE} found nothing: {found.summary()}")
