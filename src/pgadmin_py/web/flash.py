"""One-shot messages across a redirect ("Row saved."), kept in a short-lived signed cookie.

After a POST the browser is redirected (303, or htmx's HX-Redirect) to a page that knows nothing of
the save; the message rides along in a cookie (Django's cookie message storage, without sessions),
is shown by the next full page (layout.html) and cleared by that page's response. Signed with the
app's cookie secret, so nothing but this app can put words on its pages.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response
from litestar.types import Message, Scope

FLASH_COOKIE = "pgadmin_py_flash"
MAX_AGE_S = 60
_SHOWN = "pgadmin_py_flash_shown"  # scope key: this response's page showed the flash, so clear the cookie
_CLEAR = f"{FLASH_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict".encode()


@dataclass(frozen=True, slots=True)
class Flash:
    level: str  # info | success | warning | error (components/ui.html flash)
    message: str


def _sign(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()[:32]


def set_flash(response: Response[Any], secret: str, flash: Flash, *, secure: bool = False) -> Response[Any]:
    """Attach ``flash`` to a redirect for the page it leads to."""
    payload = base64.urlsafe_b64encode(json.dumps([flash.level, flash.message]).encode()).decode().rstrip("=")
    response.set_cookie(FLASH_COOKIE, f"{payload}.{_sign(secret, payload)}", max_age=MAX_AGE_S, path="/",
                        httponly=True, samesite="strict", secure=secure)
    return response


def take_flash(request: Request[Any, Any, Any], secret: str) -> list[Flash]:
    """The message waiting for this page, if any; the response will clear it (:func:`clear_shown_flash`)."""
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw or "." not in raw:
        return []
    request.scope.setdefault("state", {})[_SHOWN] = True  # a bad or stale cookie is cleared too
    payload, signature = raw.rsplit(".", 1)
    if not hmac.compare_digest(signature, _sign(secret, payload)):
        return []
    try:
        level, message = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, TypeError):
        return []
    return [Flash(str(level), str(message))]


async def clear_shown_flash(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: the response of a page that showed the flash deletes its cookie."""
    if message["type"] == "http.response.start" and scope.get("state", {}).get(_SHOWN):
        message["headers"] = [*message.get("headers", ()), (b"set-cookie", _CLEAR)]
