"""The login throttle's buckets and the login sessions, on a clock the test moves."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from pgadmin_py.web.sessions import SESSION_SECONDS, Sessions
from pgadmin_py.web.throttle import LoginThrottle, client_key


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _checked(throttle: LoginThrottle, address: str, tries: int) -> int:
    """How many of ``tries`` wrong guesses from ``address`` were checked (the rest refused)."""
    checked = 0
    for _ in range(tries):
        if throttle.refusal(address) is None:
            throttle.failed(address)
            checked += 1
    return checked


def test_five_failures_per_client_then_one_per_twelve_seconds() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    assert _checked(throttle, "203.0.113.5", 100) == 5
    refusal = throttle.refusal("203.0.113.5")
    assert refusal is not None and refusal.retry_after == 12 and not refusal.overall
    clock.now += 11.9
    assert _checked(throttle, "203.0.113.5", 10) == 0
    clock.now += 0.1
    assert _checked(throttle, "203.0.113.5", 10) == 1
    clock.now += 3600
    assert _checked(throttle, "203.0.113.5", 10) == 5  # refilled to the burst, never more
    assert throttle.rates == (5 / 60, 30 / 60)


def test_another_client_is_not_locked_out_by_one_guessing() -> None:
    throttle = LoginThrottle(clock=Clock())
    _checked(throttle, "203.0.113.5", 50)
    assert throttle.refusal("198.51.100.7") is None


def test_the_overall_limit_holds_across_addresses() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    checked = sum(_checked(throttle, f"198.51.100.{n}", 5) for n in range(1, 101))
    assert checked == 30
    refusal = throttle.refusal("192.0.2.1")
    assert refusal is not None and refusal.overall and refusal.retry_after == 2
    clock.now += 2
    assert throttle.refusal("192.0.2.1") is None  # a pause, not a lock-out


def test_ipv6_clients_count_by_their_64() -> None:
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert client_key("127.0.0.1") == "127.0.0.1" and client_key(None) == "unknown"
    throttle = LoginThrottle(clock=Clock())
    assert sum(_checked(throttle, f"2001:db8:1:2::{n}", 5) for n in range(1, 10)) == 5


def test_sessions_issue_check_and_revoke() -> None:
    clock = Clock()
    sessions = Sessions("s" * 32, "password", clock=clock)
    first, second = sessions.issue(), sessions.issue()
    assert sessions.session_of(first) and sessions.session_of(second)
    assert sessions.revoke(first)
    assert sessions.session_of(first) is None and sessions.session_of(second) is not None
    assert not sessions.revoke(first)
    assert Sessions("s" * 32, "new password", clock=clock).session_of(second) is None  # bound to the token
    assert Sessions("t" * 32, "password", clock=clock).session_of(second) is None  # and to the secret
    sid, issued, mac = second.split(".")
    assert sessions.session_of(f"{sid}x.{issued}.{mac}") is None
    assert sessions.session_of(f"{sid}.{int(issued) + 1}.{mac}") is None
    for junk in ("", "x", "a.b.c", "..", f"{sid}.{issued}", f"{sid}.-1.{mac}", "a." + "9" * 40 + ".b"):
        assert sessions.session_of(junk) is None
    clock.now += SESSION_SECONDS + 1
    assert sessions.session_of(second) is None  # the server enforces the expiry, not only the browser


def test_revocations_outlive_a_restart_when_stored(tmp_path: Path) -> None:
    store = tmp_path / "data" / "revoked-sessions.json"
    clock = Clock()
    sessions = Sessions("s" * 32, "pw", store=store, clock=clock)
    gone, kept = sessions.issue(), sessions.issue()
    sessions.revoke(gone)
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    again = Sessions("s" * 32, "pw", store=store, clock=clock)
    assert again.session_of(gone) is None and again.session_of(kept) is not None
    clock.now += SESSION_SECONDS + 1
    later = Sessions("s" * 32, "pw", store=store, clock=clock)
    later.revoke(newer := later.issue())
    assert list(json.loads(store.read_text())) == [newer.split(".")[0]]  # expired entries leave the file
    store.write_text("not json")
    damaged = Sessions("s" * 32, "pw", store=store, clock=clock)  # a damaged file is logged and ignored
    assert damaged.session_of(damaged.issue()) is not None
