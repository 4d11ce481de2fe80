"""The reviewed plan, carried from the confirmation page to Apply in a signed token.

Apply must run what the user reviewed, not render the offline SQL a second time (0.6 to 9 s): the token
holds the action, target, starting revisions, the revisions that will run and the sha256 of their
scripts (with env.py and the ini), signed with the app's secret. Apply checks the signature, that the
database is still at the reviewed revisions and that the scripts are unchanged; else "review again".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass

from pgadmin_py.core.errors import AppError


class InvalidPlanToken(AppError):
    title = "This confirmation cannot be used"


@dataclass(frozen=True, slots=True)
class ReviewedPlan:
    action: str
    target: str
    current: tuple[str, ...]
    revisions: tuple[str, ...]
    scripts_hash: str


def _mac(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), b"pgadmin-py plan\0" + body, hashlib.sha256).hexdigest()


def sign(plan: ReviewedPlan, secret: str) -> str:
    body = json.dumps([plan.action, plan.target, list(plan.current), list(plan.revisions), plan.scripts_hash],
                      separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(body).decode().rstrip("=") + "." + _mac(secret, body)


def verify(token: str, secret: str) -> ReviewedPlan:
    """The plan in ``token``; :class:`InvalidPlanToken` when it was not signed by this app."""
    encoded, _, mac = token.strip().partition(".")
    try:
        body = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        valid = hmac.compare_digest(mac, _mac(secret, body))
        action, target, current, revisions, digest = json.loads(body) if valid else ("", "", [], [], "")
    except (ValueError, TypeError):
        valid = False
    if not valid or not isinstance(current, list) or not isinstance(revisions, list):
        raise InvalidPlanToken("The confirmation form was not issued by this server (or the server restarted "
                               "with a new SECRET_KEY).", "Open the plan again and confirm from there.")
    return ReviewedPlan(str(action), str(target), tuple(current), tuple(revisions), str(digest))
