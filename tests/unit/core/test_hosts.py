"""The Host check's pure parts: reading a Host header, parsing ALLOWED_HOSTS, and the allowlist."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgadmin_py.core.errors import ConfigError
from pgadmin_py.core.hosts import HostAllowlist, host_of, parse_allowed_host
from pgadmin_py.core.settings import Settings
from pgadmin_py.db.conninfo import parse_database_url


def from_env(env: dict[str, str]) -> Settings:
    """Settings as the CLI reads them: DATABASE_URL by libpq's rules."""
    return Settings.from_env(env, parse_url=parse_database_url)


@pytest.mark.parametrize(("header", "host"), [
    ("localhost", "localhost"), ("LocalHost:3000", "localhost"), ("localhost.", "localhost"),
    ("127.0.0.1:8080", "127.0.0.1"), ("[::1]", "::1"), ("[::1]:3000", "::1"), ("::1", "::1"),
    ("[0:0:0:0:0:0:0:1]:80", "::1"), ("Pgadmin.Example.COM:443", "pgadmin.example.com"), ("my_app", "my_app"),
])
def test_host_header_is_normalised(header: str, host: str) -> None:
    assert host_of(header) == host


@pytest.mark.parametrize("header", [
    "", " ", "user@localhost", "localhost:", "localhost:abc", "localhost:99999", "localhost:3000:1",
    "localhost/x", "local host", "localhost\x00", "[::1", "[localhost]:80", "[127.0.0.1]", "-x.example",
    "ex..ample", "exämple.com", "x" * 300, "localhost:3000@evil.example",
])
def test_malformed_host_headers_name_nothing(header: str) -> None:
    assert host_of(header) is None


def test_allowlist() -> None:
    entries = [parse_allowed_host(e) for e in ("pgadmin.example.com", ".corp.example", "::ffff:10.0.0.9")]
    allowed = HostAllowlist.build("10.0.0.5", entries)
    for header in ("localhost", "127.0.0.1", "127.0.0.2:80", "[::1]", "10.0.0.5:3000", "pgadmin.example.com",
                   "corp.example", "db.corp.example", "a.b.corp.example", "[::ffff:a00:9]:3000"):
        assert allowed.allows(host_of(header)), header
    for header in ("evil.example", "localhost.evil.example", "127.0.0.1.evil.example", "evilcorp.example",
                   "corp.example.evil.example", "10.0.0.6", "0.0.0.0", "pgadmin.example.com.evil.example", ""):
        assert not allowed.allows(host_of(header)), header


def test_the_unspecified_listen_address_adds_nothing() -> None:
    for listen in ("0.0.0.0", "::"):
        allowed = HostAllowlist.build(listen, [])
        assert not allowed.allows("0.0.0.0") and not allowed.allows("::")
        assert allowed.allows("localhost")


@pytest.mark.parametrize(("item", "normal"), [
    ("PGADMIN.example.com", "pgadmin.example.com"), (" 10.0.0.5 ", "10.0.0.5"), ("[::1]", "::1"),
    ("fe80::1", "fe80::1"), (".Corp.Example", ".corp.example"), ("pgadmin.example.com.", "pgadmin.example.com"),
])
def test_allowed_hosts_items_are_normalised(item: str, normal: str) -> None:
    assert parse_allowed_host(item) == normal


@pytest.mark.parametrize(("item", "words"), [
    ("*", "wildcards are not accepted"), ("*.example.com", "wildcards are not accepted"),
    ("http://pgadmin.example.com", "give the host name only"), ("pgadmin.example.com/", "give the host name only"),
    ("pgadmin.example.com:8080", "without a port"), ("[::1]:3000", "without a port"),
    ("admin@pgadmin.example.com", "no user@ part"), ("bad name", "not a host name"), (".", "not a host name"),
    (".10.0.0.1", "not a host name"),
])
def test_bad_allowed_hosts_items_say_why(item: str, words: str) -> None:
    with pytest.raises(ValueError, match=words.replace(".", r"\.")):
        parse_allowed_host(item)


def test_settings_parse_allowed_hosts(tmp_path: Path) -> None:
    s = from_env({"PROJECT_DIR": str(tmp_path), "ALLOWED_HOSTS": "pgadmin.example.com, .corp.example,,"})
    assert s.allowed_hosts == ("pgadmin.example.com", ".corp.example")
    assert from_env({"PROJECT_DIR": str(tmp_path)}).allowed_hosts == ()
    with pytest.raises(ConfigError) as info:
        from_env({"PROJECT_DIR": str(tmp_path), "ALLOWED_HOSTS": "ok.example,http://x.example,*"})
    text = str(info.value)
    assert "ALLOWED_HOSTS item 'http://x.example' is a URL; give the host name only" in text
    assert "ALLOWED_HOSTS item '*': wildcards are not accepted" in text
