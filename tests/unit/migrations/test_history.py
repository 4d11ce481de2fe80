"""Run history in SQLite: records survive reopening; runs orphaned by a restart are marked interrupted."""

from __future__ import annotations

from pathlib import Path

from pgadmin_py.migrations.history import RunHistory


def test_history_round_trip_and_interrupted_runs(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    history = RunHistory(path)
    done = history.create("upgrade", "heads", "127.0.0.1", ("a",), ("b", "c"))
    history.set_backup(done, "db-a.dump")
    history.finish(done, "succeeded", ("c",), "line 1\nline 2")
    orphan = history.create("downgrade", "-1", "127.0.0.1", ("c",), ("c",))
    history.save_log(orphan, "started")

    reopened = RunHistory(path)  # a new server process
    reopened.interrupt_stale(live_ids=set())  # what RunRegistry does when no replica holds the lock
    record = reopened.get(done)
    assert record is not None
    assert (record.kind, record.status, record.from_revisions, record.to_revisions) == \
        ("upgrade", "succeeded", ("a",), ("c",))
    assert record.revisions == ("b", "c") and record.backup == "db-a.dump" and record.log == "line 1\nline 2"
    assert record.duration is not None and record.duration >= 0
    stale = reopened.get(orphan)
    assert stale is not None and stale.status == "interrupted" and stale.log == "started"
    assert [r.id for r in reopened.recent()] == [orphan, done]
    assert reopened.get(999) is None
