"""Settings from the environment: defaults, both URL forms, and every invalid value named at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pgadmin_py.core.errors import ConfigError
from pgadmin_py.core.settings import Settings
from pgadmin_py.db.conninfo import parse_database_url


def from_env(env: dict[str, str]) -> Settings:
    """Settings as the CLI reads them: DATABASE_URL by libpq's rules."""
    return Settings.from_env(env, parse_url=parse_database_url)


def test_defaults_with_nothing_set(tmp_path: Path) -> None:
    s = from_env({"PROJECT_DIR": str(tmp_path)})
    assert s.database_url is None  # -> the embedded server
    assert (s.host, s.port, s.read_only, s.auth_password) == ("127.0.0.1", 3000, False, None)
    assert not s.data_dir.is_relative_to(tmp_path), "data (backups: full dumps) never in the project by default"
    assert s.backup_dir == s.data_dir / "backups"
    assert s.listens_on_loopback


def test_default_data_dir_is_outside_a_git_checkout_the_server_starts_in(tmp_path: Path) -> None:
    checkout = tmp_path / "my-app"
    (checkout / ".git").mkdir(parents=True)
    s = from_env({"PROJECT_DIR": str(checkout)})
    assert not any((parent / ".git").exists() for parent in (s.data_dir, *s.data_dir.parents))


def test_data_dir_set_explicitly_is_kept(tmp_path: Path) -> None:
    s = from_env({"PROJECT_DIR": str(tmp_path), "DATA_DIR": str(tmp_path / "state")})
    assert (s.data_dir, s.backup_dir) == (tmp_path / "state", tmp_path / "state" / "backups")


@pytest.mark.parametrize("url", [
    "postgresql://app:s3cret@db:5432/shop",
    "postgresql+psycopg://app:s3cret@db:5432/shop",
    "postgres://app:s3cret@db:5432/shop",
    "postgresql+asyncpg://app:s3cret@db:5432/shop",
])
def test_database_url_forms_normalise_to_psycopg(url: str, tmp_path: Path) -> None:
    s = from_env({"DATABASE_URL": url, "PROJECT_DIR": str(tmp_path)})
    assert s.database_url is not None
    assert s.database_url.sqlalchemy() == "postgresql+psycopg://app:s3cret@db:5432/shop"
    assert s.database_url.libpq() == "postgresql://app:s3cret@db:5432/shop"
    assert "s3cret" not in str(s.database_url) and "s3cret" not in repr(s.database_url)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    env = {
        "PROJECT_DIR": str(tmp_path),
        "DATABASE_URL": "mysql://root@db/shop",
        "PORT": "70000",
        "READ_ONLY": "maybe",
        "SQLALCHEMY_BASE": "app.models.Base",
        "ALEMBIC_CONFIG": "nowhere/alembic.ini",
        "LOG_LEVEL": "loud",
    }
    with pytest.raises(ConfigError) as info:
        from_env(env)
    text = str(info.value)
    assert "cannot start" in text
    assert "DATABASE_URL is invalid: the scheme 'mysql' is not PostgreSQL" in text
    assert "expected postgresql://user:password@host:5432/dbname" in text
    assert "PORT='70000' must be a whole number from 1 to 65535" in text
    assert "READ_ONLY='maybe' is not a yes/no value" in text
    assert "SQLALCHEMY_BASE='app.models.Base' must be 'module:attribute'" in text
    assert "ALEMBIC_CONFIG='nowhere/alembic.ini': no such file" in text
    assert "LOG_LEVEL='loud' must be one of" in text
    assert len(info.value.problems) == 6


@pytest.mark.parametrize(("url", "words"), [
    ("postgresql://db:notaport/shop", "the port 'notaport' is not a number"),
    ("postgresql://db/shop?bogus=1", 'invalid URI query parameter: "bogus"'),
    ("postgresql://db/shop?sslmode=sometimes", "sslmode='sometimes' is not one of"),
    ("db.internal:5432/shop", "neither a postgresql:// URL nor keyword=value pairs"),
    ("postgresql://u@h1,h2/shop?port=1,2,3", "2 host(s) but 3 ports"),
])
def test_bad_urls_say_what_is_wrong(url: str, words: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=re.escape(words)):
        from_env({"DATABASE_URL": url, "PROJECT_DIR": str(tmp_path)})


@pytest.mark.parametrize("url", ["postgresql://db:5432", "postgresql:///shop", "postgresql://",
                                 "postgresql:///shop?host=/var/run/postgresql", "host=db dbname=shop",
                                 "postgresql://u@h1:5432,h2:5433/shop", "postgresql://?service=shop"])
def test_every_form_libpq_reads_is_accepted(url: str, tmp_path: Path) -> None:
    assert from_env({"DATABASE_URL": url, "PROJECT_DIR": str(tmp_path)}).database_url is not None


def test_a_malformed_url_never_echoes_its_password(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        from_env({"DATABASE_URL": "postgresql://app:hunter2@db/shop?x=%zz", "PROJECT_DIR": str(tmp_path)})
    assert "hunter2" not in str(info.value) and "libpq cannot read it" in str(info.value)


def test_alembic_ini_is_discovered_in_the_project(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "alembic.ini").write_text("[alembic]\n")
    assert from_env({"PROJECT_DIR": str(tmp_path)}).alembic_config == tmp_path / "migrations" / "alembic.ini"
    (tmp_path / "alembic.ini").write_text("[alembic]\n")
    assert from_env({"PROJECT_DIR": str(tmp_path)}).alembic_config == tmp_path / "alembic.ini"


def test_flags_and_auth(tmp_path: Path) -> None:
    s = from_env({"PROJECT_DIR": str(tmp_path), "READ_ONLY": "yes", "HOST": "0.0.0.0",
                           "AUTH_PASSWORD": "hunter2-hunter2"})
    assert s.read_only and not s.listens_on_loopback and s.auth_password == "hunter2-hunter2"
    with pytest.raises(ConfigError, match="contradict"):
        from_env({"PROJECT_DIR": str(tmp_path), "AUTH_PASSWORD": "x", "AUTH_DISABLED": "1"})


def test_backup_retention(tmp_path: Path) -> None:
    s = from_env({"PROJECT_DIR": str(tmp_path)})
    assert (s.backup_keep, s.backup_max_mb) == (10, 5000)
    s = from_env({"PROJECT_DIR": str(tmp_path), "BACKUP_KEEP": "3", "BACKUP_MAX_MB": "200"})
    assert (s.backup_keep, s.backup_max_mb) == (3, 200)
    with pytest.raises(ConfigError) as err:
        from_env({"PROJECT_DIR": str(tmp_path), "BACKUP_KEEP": "0", "BACKUP_MAX_MB": "lots"})
    assert "BACKUP_KEEP='0' must be a whole number from 1" in str(err.value)
    assert "BACKUP_MAX_MB='lots' must be a whole number" in str(err.value)
