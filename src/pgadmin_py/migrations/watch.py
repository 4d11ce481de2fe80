"""Watching a run: its page's view and its log from any line on, live from memory or from the history.

A run of this process is read from the registry while it goes; once finished (or when it runs in another
server process sharing the data directory) its log is read from the history, where it was appended line by
line. Line indexes count the whole log, so a watcher that reconnects (SSE ``Last-Event-ID``) resumes where
it stopped, wherever the lines are by then.
"""

from __future__ import annotations

from dataclasses import dataclass

from pgadmin_py.core.errors import NotFound
from pgadmin_py.migrations.history import RunHistory, RunRecord
from pgadmin_py.migrations.runs import RunRegistry


@dataclass(frozen=True, slots=True)
class RunView:
    record: RunRecord
    lines: tuple[str, ...]
    running: bool  # going on in this process: the page follows its log live
    elsewhere: str | None  # going on in another server process: where


@dataclass(frozen=True, slots=True)
class LogChunk:
    lines: tuple[str, ...]  # the lines from the asked index on (possibly none yet)
    done: bool  # the run has ended: no line will follow these


def _missing(run_id: int) -> NotFound:
    return NotFound(f"There is no run #{run_id}.", "See the list of runs.")


def run_record(history: RunHistory, run_id: int) -> RunRecord:
    record = history.get(run_id)
    if record is None:
        raise _missing(run_id)
    return record


def run_view(registry: RunRegistry, history: RunHistory, run_id: int) -> RunView:
    live = registry.live(run_id)
    record = run_record(history, run_id)
    if live is not None and not live.done.is_set():
        return RunView(record, tuple(live.lines), True, None)
    record = history.get(run_id) or record  # finished meanwhile: the outcome is recorded
    return RunView(record, tuple(record.log.splitlines()), False, registry.elsewhere(history, run_id))


def log_chunk(registry: RunRegistry, history: RunHistory, run_id: int, after: int) -> LogChunk:
    live = registry.live(run_id)
    if live is not None:
        done = live.done.is_set()  # read before the lines: a run done by then has all its lines in memory
        return LogChunk(tuple(live.since(after)), done)
    record = run_record(history, run_id)
    return LogChunk(tuple(history.lines(run_id, after)), record.status != "running")
