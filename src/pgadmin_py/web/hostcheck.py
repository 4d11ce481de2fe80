"""The Host and Origin check, in front of routing (so a 404 or a static file answers only to allowed hosts).

First line: a request whose ``Host`` is not one the server is meant for gets a plain 400 naming the
setting to change (DNS rebinding sends the attacker's name). Second line, on unsafe methods: an
``Origin`` whose host is not allowed (or ``null``) gets a 403. Browsers send ``Origin`` on every
POST; when it is absent a ``Referer`` is checked the same way; a request with neither comes from a
non-browser client (curl, a script), which cannot be a cross-site forgery and still needs the CSRF token.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from litestar.types import Receive, Scope, Send

from pgadmin_py.core.hosts import HostAllowlist, host_of
from pgadmin_py.web.security import SAFE_METHODS, SECURITY_HEADERS

SHOWN_CHARS = 80


def _shown(value: str) -> str:
    text = value if len(value) <= SHOWN_CHARS else value[:SHOWN_CHARS] + "..."
    return repr(text)


def _origin_host(value: str) -> str | None:
    """The host of an ``Origin`` or ``Referer`` (a URL); None when it is ``null`` or not an http(s) URL."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    return host_of(parts.netloc)


@dataclass(frozen=True, slots=True)
class HostCheck:
    allowlist: HostAllowlist

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        """``(status, message)`` when the request must be refused, else None."""
        headers = [(k, v) for k, v in scope.get("headers", []) if k in (b"host", b"origin", b"referer")]
        hosts = [v.decode("latin-1") for k, v in headers if k == b"host"]
        if len(hosts) != 1:
            return 400, ("The request has no Host header, or more than one, so pgadmin-py cannot tell which "
                         "name it was sent to. Browsers always send one; check the client or the proxy in front.")
        host = host_of(hosts[0])
        if not self.allowlist.allows(host):
            return 400, (f"pgadmin-py does not answer to the host {_shown(hosts[0])}. If that is the name you "
                         "open it by, add it to the ALLOWED_HOSTS setting (comma-separated names, e.g. "
                         "ALLOWED_HOSTS=pgadmin.example.com) and restart pgadmin-py. Accepted now: "
                         f"{self.allowlist.describe()}. (This check stops other web sites from reaching "
                         "pgadmin-py through DNS rebinding.)")
        if scope.get("method", "GET") in SAFE_METHODS:
            return None
        for name in (b"origin", b"referer"):
            sent = [v.decode("latin-1") for k, v in headers if k == name]
            if sent:
                if all(self.allowlist.allows(_origin_host(v)) for v in sent):
                    return None
                return 403, (f"pgadmin-py refused a {scope.get('method')} request sent from the page at "
                             f"{_shown(sent[0])}: only pages pgadmin-py serves may send changes. If you open "
                             "pgadmin-py by that name, add it to the ALLOWED_HOSTS setting and restart.")
        return None

    async def refused(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Answer and return True when the request is refused; return False to let it through."""
        refusal = self.refusal(scope)
        if refusal is None:
            return False
        status, message = refusal
        body = f"{status} {'Bad Request' if status == 400 else 'Forbidden'}: {message}\n".encode()
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                   (b"cache-control", b"no-store"), *SECURITY_HEADERS]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})
        return True
