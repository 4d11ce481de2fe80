"""Passwords never reach a log line or a label, however the URL is written."""

from __future__ import annotations

import logging

import pytest

from pgadmin_py.core.dburl import mask_urls_in
from pgadmin_py.core.logging import MaskingFilter
from pgadmin_py.db.conninfo import parse_database_url


def test_special_characters_in_password_survive_and_are_masked() -> None:
    url = parse_database_url("postgresql://app:p%40ss%3Aw%2Frd@db.internal:6543/shop?sslmode=require")
    assert url.password == "p@ss:w/rd"
    assert url.libpq() == "postgresql://app:p%40ss%3Aw%2Frd@db.internal:6543/shop?sslmode=require"
    assert url.masked() == "postgresql://app:***@db.internal:6543/shop?sslmode=require"
    assert url.label() == "app@db.internal:6543/shop"


def test_mask_urls_in_free_text() -> None:
    text = 'connection to "postgresql://u:topsecret@h:5432/d" failed; also mysql://a:b@c/d'
    masked = mask_urls_in(text)
    assert "topsecret" not in masked and ":b@" not in masked
    assert "postgresql://u:***@h:5432/d" in masked


def test_logging_filter_masks_messages_and_arguments(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.masking")
    logger.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="test.masking"):
        logger.info("connecting to %s", "postgresql://app:hunter2@db/shop")
    assert "hunter2" not in caplog.text
    assert "app:***@db/shop" in caplog.text


@pytest.mark.parametrize(("text", "shown"), [
    ("host=db password='s3 cret' dbname=shop", "host=db password=*** dbname=shop"),
    ("host=db password=s3cret dbname=shop", "host=db password=*** dbname=shop"),
    ("env PGPASSWORD=s3cret pg_dump", "env PGPASSWORD=*** pg_dump"),
    ("postgresql://u@h/d?password=s3cret&sslmode=require", "postgresql://u@h/d?password=***&sslmode=require"),
    ("postgresql://u:s3cret@h/d?sslpassword=s3cret", "postgresql://u:***@h/d?sslpassword=***"),
])
def test_every_spelling_of_a_password_is_masked(text: str, shown: str) -> None:
    assert mask_urls_in(text) == shown
