"""DATABASE_URL by libpq's rules, and one value rendered for every consumer: psycopg, libpq tools, SQLAlchemy."""

from __future__ import annotations

import pytest
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.dialects.postgresql.psycopg2 import PGDialect_psycopg2
from sqlalchemy.engine import make_url

from pgadmin_py.core.dburl import mask_urls_in
from pgadmin_py.db.conninfo import libpq_environment, parse_database_url

SECRET = "s3cr et'@:/%"
FORMS = [
    "postgresql://app:s3cr%20et%27%40%3A%2F%25@db.internal:6543/shop?sslmode=require",
    "postgresql:///shop?host=/var/run/postgresql",
    "postgresql://app@/shop?host=/var/run/postgresql&port=5433&password=s3cr%20et%27%40%3A%2F%25",
    "postgresql://app@h1:5432,h2:5433/shop?target_session_attrs=read-write",
    "postgresql://app@h1,h2/shop",
    "postgres://[::1]:5432/shop?application_name=x&connect_timeout=3",
    "postgresql+asyncpg://app@db/shop",
    "postgresql://?service=shop",
    "postgresql://",
    r"host=db port=5432 user=app password='s3cr et\'@:/%' dbname=shop options='-c search_path=a,b'",
]


@pytest.mark.parametrize("text", FORMS)
def test_libpq_and_sqlalchemy_read_the_rendered_url_as_libpq_read_the_original(text: str) -> None:
    url = parse_database_url(text)
    libpq_said = conninfo_to_dict(text.replace("postgresql+asyncpg://", "postgresql://"))
    assert dict(url.params) == libpq_said
    assert conninfo_to_dict(url.conninfo()) == libpq_said
    assert conninfo_to_dict(url.libpq()) == libpq_said
    for dialect, scheme in ((PGDialect_psycopg(), "postgresql+psycopg"), (PGDialect_psycopg2(), "postgresql+psycopg2")):
        _, kwargs = dialect.create_connect_args(make_url(scheme + url.libpq()[len("postgresql"):]))
        kwargs.pop("context", None)
        hosts = libpq_said.get("host", "").split(",")
        expected = dict(libpq_said)
        if "port" in expected and len(hosts) > 1 and "," not in expected["port"]:
            expected["port"] = ",".join([expected["port"]] * len(hosts))  # SQLAlchemy wants one port per host
        assert {k: str(v) for k, v in kwargs.items()} == expected


@pytest.mark.parametrize("text", [f for f in FORMS if "s3cr" in f])
def test_the_password_is_masked_and_kept_off_command_lines(text: str) -> None:
    url = parse_database_url(text)
    assert url.password == SECRET
    for shown in (url.masked(), str(url), repr(url), url.label(), url.public_conninfo()):
        assert "s3cr" not in shown, shown
    assert url.secret_env() == {"PGPASSWORD": SECRET}
    assert "s3cr" not in mask_urls_in(f"failed: {url.conninfo()} / {url.libpq()}")


def test_libpq_environment_is_read_by_libpqs_own_table() -> None:
    url = libpq_environment({"PGHOST": "/var/run/postgresql", "PGUSER": "app", "PGPASSWORD": "pw",
                             "PGSSLMODE": "disable", "HOME": "/root"})
    assert url is not None and dict(url.params) == {"host": "/var/run/postgresql", "user": "app", "password": "pw",
                                                    "sslmode": "disable"}
    assert url.source == "libpq environment (PGHOST, PGUSER)"
    # a service keeps precedence over the other variables, as in psql: only the service is named
    service = libpq_environment({"PGSERVICE": "shop", "PGHOST": "elsewhere"})
    assert service is not None and dict(service.params) == {"service": "shop"}
    # alone, a password or an sslmode names no server: the demo (or discovery) then
    assert libpq_environment({"PGPASSWORD": "pw", "PGSSLMODE": "require"}) is None
