"""The 3.11 behaviours core.compat gives Python 3.10 (the unit tier runs on 3.10 and 3.13 in CI)."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from pgadmin_py.core.compat import StrEnum, datetime_fromisoformat, time_fromisoformat


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-02-29T13:45:30.5", datetime(2024, 2, 29, 13, 45, 30, 500000)),
    ("2024-02-29 13:45Z", datetime(2024, 2, 29, 13, 45, tzinfo=timezone.utc)),
    ("2024-02-29T13:45+02", datetime(2024, 2, 29, 13, 45, tzinfo=timezone(timedelta(hours=2)))),
    ("2024-02-29T13:45:30.123+0530", datetime(2024, 2, 29, 13, 45, 30, 123000,
                                              tzinfo=timezone(timedelta(hours=5, minutes=30)))),
    ("2024-02-29T13:45:30.5-03:30", datetime(2024, 2, 29, 13, 45, 30, 500000,
                                             tzinfo=timezone(-timedelta(hours=3, minutes=30)))),
    ("2024-02-29", datetime(2024, 2, 29)),
])
def test_datetimes_read_as_on_311(text: str, expected: datetime) -> None:
    assert datetime_fromisoformat(text) == expected
    assert datetime_fromisoformat(text).tzinfo == expected.tzinfo


@pytest.mark.parametrize(("text", "expected"), [
    ("13:45:30.5", time(13, 45, 30, 500000)), ("13:45", time(13, 45)), ("07:00:01.25", time(7, 0, 1, 250000)),
])
def test_times_read_as_on_311(text: str, expected: time) -> None:
    assert time_fromisoformat(text) == expected


@pytest.mark.parametrize("text", ["2024-02-30T10:00", "13:61", "not a date"])
def test_what_311_refuses_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        (time_fromisoformat if text[2] == ":" else datetime_fromisoformat)(text)


def test_str_enum_members_are_their_values() -> None:
    class Mode(StrEnum):
        READ = "read only"

    assert str(Mode.READ) == "read only" and f"{Mode.READ}!" == "read only!" and Mode.READ == "read only"
