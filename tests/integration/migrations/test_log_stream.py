"""The live log over SSE: every event carries an id, and a browser that reconnects with ``Last-Event-ID``
resumes where it stopped (no line twice, none missing), whether the run still goes or has finished."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mig_support import project_env, start_run, wait_run

from pgadmin_py.core.dburl import DatabaseUrl
from support.web import make_client, make_state


def _events(client: Any, run_id: int, *, last_id: str | None = None, stop_after: int | None = None,
            ) -> list[dict[str, str]]:
    """The events of one connection (``stop_after`` line events, then the browser goes away)."""
    headers = {"Last-Event-ID": last_id} if last_id is not None else {}
    events: list[dict[str, str]] = []
    lines = 0
    with client.stream("GET", f"/migrations/runs/{run_id}/events?after=0", headers=headers) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        event: dict[str, str] = {}
        for raw in response.iter_lines():
            if raw == "":
                if event.get("event"):
                    events.append(event)
                    lines += event["event"] == "line"
                    if event["event"] == "done" or (stop_after is not None and lines >= stop_after):
                        break
                event = {}
                continue
            key, _, value = raw.partition(":")
            value = value[1:] if value.startswith(" ") else value
            event[key] = f"{event[key]}\n{value}" if key in event else value  # data lines join with newlines
    return events


def _log_lines(events: list[dict[str, str]]) -> list[str]:
    return [line for e in events if e["event"] == "line" for line in e["data"].split("\n") if line]


def test_every_event_has_an_id_and_a_reconnect_resumes_a_live_run(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    env = project_env("sleepy", empty_db, tmp_path, SLEEPY_SECONDS="2")
    state = make_state(env)
    with make_client(env, state) as client:
        run_id = start_run(client, "upgrade", "heads", backup="off")
        first = _events(client, run_id, stop_after=1)  # the tab closes after the first lines
        assert first and all(e.get("id", "").isdigit() for e in first)
        rest = _events(client, run_id, last_id=first[-1]["id"])  # the browser reconnects
        assert rest[-1]["event"] == "done" and all(e.get("id", "").isdigit() for e in rest)
        ids = [int(e["id"]) for e in first + rest if e["event"] == "line"]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        page = wait_run(client, run_id)
        assert "succeeded" in page
        assert state.migrations.registry.live_count == 0  # the finished run left memory
        whole = state.migrations.run_view(run_id).lines
    streamed = _log_lines(first + rest)
    assert len(streamed) == len(whole)  # no line twice, none missing
    assert any("lock acquired" in line for line in streamed) and any("finished successfully" in line
                                                                    for line in streamed)


def test_a_reconnect_after_the_run_resumes_from_the_history(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    env = project_env("linear", empty_db, tmp_path)
    with make_client(env) as client:
        run_id = start_run(client, "upgrade", "heads", backup="off")
        wait_run(client, run_id)
        everything = _events(client, run_id)
        line_events = [e for e in everything if e["event"] == "line"]
        total = int(line_events[-1]["id"])
        resumed = _events(client, run_id, last_id="3")
        assert [e["event"] for e in resumed][-1] == "done" and resumed[-1]["id"] == str(total)
        assert _log_lines(resumed) == _log_lines(everything)[3:]
        assert _events(client, run_id, last_id=str(total))[0]["event"] == "done"  # nothing left to replay
