"""Run history in SQLite: records survive reopening; runs orphaned by a restart are marked interrupted."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pgadmin_py.migrations.history import RunHistory


def test_history_round_trip_and_interrupted_runs(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    history = RunHistory(path)
    done = history.create("upgrade", "heads", "127.0.0.1", ("a",), ("b", "c"))
    history.set_backup(done, "db-a.dump")
    history.finish(done, "succeeded", ("c",), "line 1\nline 2")
    orphan = history.create("downgrade", "-1", "127.0.0.1", ("c",), ("c",))
    history.append_log(orphan, 0, ["started"])

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


def test_the_log_is_appended_never_rewritten(tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "runs.sqlite3")
    run = history.create("upgrade", "heads", "127.0.0.1", (), ("a",))
    history.append_log(run, 0, ["one", "two"])
    history.append_log(run, 2, ["three"])
    history.append_log(run, 1, ["TWO again"])  # a line saved before stays as it was
    assert history.lines(run) == ["one", "two", "three"] and history.lines(run, after=2) == ["three"]
    history.finish(run, "succeeded", ("a",), "one\ntwo\nthree\nfour")  # a complete log adds what is missing
    record = history.get(run)
    assert record is not None and record.log == "one\ntwo\nthree\nfour"
    with sqlite3.connect(tmp_path / "runs.sqlite3") as conn:
        stored = conn.execute("select log from runs where id = ?", (run,)).fetchone()[0]
    assert stored == ""  # the lines are rows of their own: no whole-log text to rewrite


def test_a_file_from_before_keeps_its_whole_text_log(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    history = RunHistory(path)
    run = history.create("upgrade", "heads", "127.0.0.1", (), ("a",))
    with sqlite3.connect(path) as conn:  # what the whole-log rewrite left in a file
        conn.execute("update runs set log = ? where id = ?", ("old 1\nold 2", run))
    history.append_log(run, 2, ["new 3"])
    assert history.lines(run) == ["old 1", "old 2", "new 3"] and history.lines(run, after=1) == ["old 2", "new 3"]
