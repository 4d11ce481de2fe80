"""Which names the server answers to: the Host header check against DNS rebinding.

A web page anywhere can point a name it controls at 127.0.0.1 (DNS rebinding) and then talk to a
no-login server on loopback as if it were its own origin. The browser still sends the attacker's
name in ``Host``, so answering only to the names the server is meant for closes the hole: loopback
names and addresses, the listen address (``HOST``), and the names in ``ALLOWED_HOSTS``. The port is
not compared: a published container port or a reverse proxy may change it.

Pure functions over strings; the web layer applies them to every request (web/hostcheck.py).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

LOOPBACK_NAMES = frozenset({"localhost"})
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_NAME = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$")
_PORT = re.compile(r"^[0-9]{1,5}$")
_BRACKETED = re.compile(r"^\[([^\]]+)\](?::([0-9]{1,5}))?$")
MAX_HOST_LENGTH = 253


def _ip(text: str) -> str | None:
    """The canonical text of an IP address (``::1``, ``127.0.0.1``), or None."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def _name(text: str) -> str | None:
    """A lower-cased DNS name without its final dot, or None when it is not one."""
    name = text.lower()
    name = name[:-1] if name.endswith(".") else name
    if not name or len(name) > MAX_HOST_LENGTH or not _NAME.match(name):
        return None
    return _ip(name) or name


def host_of(value: str) -> str | None:
    """The host named by a ``Host`` header (or an origin's ``host[:port]``), normalised; None if malformed.

    ``Example.COM:8080`` -> ``example.com``, ``[::1]:3000`` -> ``::1``, ``localhost.`` -> ``localhost``.
    A user-info part (``a@b``), a path, a bad port or an empty value is malformed.
    """
    if not value or len(value) > MAX_HOST_LENGTH + 8 or not value.isascii():
        return None
    if bracketed := _BRACKETED.match(value):
        address = _ip(bracketed.group(1))
        return address if address is not None and ":" in address else None
    if value.count(":") > 1:  # a bare IPv6 address (no port can follow it)
        address = _ip(value)
        return address if address is not None and ":" in address else None
    name, colon, port = value.partition(":")
    if colon and not (_PORT.match(port) and int(port) <= 65535):
        return None
    return _name(name)


def parse_allowed_host(item: str) -> str:
    """One ``ALLOWED_HOSTS`` entry, normalised; raise ValueError with the fix when it is not a host name.

    ``.example.com`` allows the domain and every name under it.
    """
    text = item.strip()
    if "://" in text or "/" in text:
        raise ValueError(f"{text!r} is a URL; give the host name only, e.g. pgadmin.example.com")
    if text == "*" or "*" in text:
        raise ValueError(f"{text!r}: wildcards are not accepted; list the names, or use .example.com for a "
                         "domain and every name under it")
    if "@" in text:
        raise ValueError(f"{text!r} is not a host name (no user@ part)")
    if text.startswith(".") and (domain := _name(text[1:])) is not None and _ip(domain) is None:
        return "." + domain
    bracketed = _BRACKETED.match(text)
    if (bracketed and bracketed.group(2)) or (not bracketed and text.count(":") == 1):
        raise ValueError(f"{text!r}: give the name without a port (any port is accepted)")
    host = host_of(text)
    if host is None:
        raise ValueError(f"{text!r} is not a host name or an IP address")
    return host


def is_unspecified(host: str) -> bool:
    """``0.0.0.0`` and ``::`` mean "every interface" when listening, and name nothing in a Host header."""
    address = _ip(host.strip("[]"))
    return address is not None and ipaddress.ip_address(address).is_unspecified


@dataclass(frozen=True, slots=True)
class HostAllowlist:
    """The hosts a server answers to; ``allows`` takes a normalised host (see :func:`host_of`)."""

    names: frozenset[str]
    domains: tuple[str, ...] = ()  # ".example.com" entries

    @classmethod
    def build(cls, listen_host: str, allowed: Iterable[str]) -> HostAllowlist:
        names = set(LOOPBACK_NAMES)
        listen = host_of(listen_host)
        if listen is not None and not is_unspecified(listen):
            names.add(listen)
        entries = list(allowed)
        names.update(e for e in entries if not e.startswith("."))
        return cls(frozenset(names), tuple(e for e in entries if e.startswith(".")))

    def allows(self, host: str | None) -> bool:
        if host is None:
            return False
        if host in self.names:
            return True
        address = _ip(host)
        if address is not None:
            return ipaddress.ip_address(address).is_loopback
        return any(host == d[1:] or host.endswith(d) for d in self.domains)

    def describe(self) -> str:
        """For messages and the startup report: what is accepted."""
        shown = sorted(self.names - LOOPBACK_NAMES) + list(self.domains)
        extra = f", {', '.join(shown)}" if shown else ""
        return f"localhost, 127.0.0.1, [::1] (any loopback address){extra}"
