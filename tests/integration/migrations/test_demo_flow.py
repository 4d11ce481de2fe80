"""The demo project end to end through the app: graph, revision, confirm, apply with backup, roll back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mig_support import post_form, start_run, text_of, wait_run, with_sql
from sqlalchemy import create_engine, text

from pgadmin_py.core.dburl import DatabaseUrl

PENDING = ("4c0d8a2e9f65", "b93e1f7c5a20")


def current(url: DatabaseUrl) -> list[str]:
    engine = create_engine(url.sqlalchemy())
    with engine.connect() as conn:
        rows = list(conn.execute(text("select version_num from alembic_version")).scalars())
    engine.dispose()
    return rows


def test_graph_page_shows_status_and_header(client: Any) -> None:
    page = client.get("/migrations")
    assert page.status_code == 200
    body = page.text
    assert body.count('class="mig-row ') == 8
    assert body.count('<circle class="node ') == 8 and "<path" in body
    for rev in PENDING:
        assert f'mig-row mig-row-pending" data-rev="{rev}"' in body
    assert 'mig-row mig-row-current" data-rev="7a6c0f9e3b18"' in body
    words = text_of(body)
    assert "Current revision 7a6c0f9e3b18" in words and "Pending 2" in words
    assert "merge" in words and "branch point" in words
    assert "style=" not in body


def test_revision_page_source_and_sql(client: Any) -> None:
    page = client.get("/migrations/4c0d8a2e9f65")
    assert page.status_code == 200
    body = with_sql(client, "/migrations/4c0d8a2e9f65")
    assert '<div class="hl">' in body and "style=" not in body
    words = text_of(body)
    assert "ALTER TABLE clients ADD COLUMN notes TEXT" in words
    assert "ALTER TABLE clients DROP COLUMN notes" in words
    assert "drops column notes" in words  # the downgrade is destructive
    assert 'href="/migrations/7a6c0f9e3b18"' in body and 'href="/migrations/b93e1f7c5a20"' in body
    merge = client.get("/migrations/7a6c0f9e3b18").text
    assert 'href="/migrations/5d8f3b6e2c47"' in merge and 'href="/migrations/e19b7c4a6d52"' in merge
    assert client.get("/migrations/doesnotexist").status_code == 404


def test_plan_lists_revisions_in_order_with_sql_and_backup(client: Any) -> None:
    page = client.get("/migrations/plan?action=upgrade&target=heads")
    assert page.status_code == 200
    words = text_of(with_sql(client, "/migrations/plan?action=upgrade&target=heads"))
    assert words.index("4c0d8a2e9f65") < words.index("b93e1f7c5a20")
    assert "2 revisions will run" in words
    assert "CREATE INDEX ix_payments_created_at" in words
    assert "pg_dump -Fc" in words
    assert 'name="confirm"' not in page.text  # upgrades need no typed confirmation


def test_apply_with_backup_then_roll_back_one_step(client: Any, demo_db: DatabaseUrl, tmp_path: Path) -> None:
    run_id = start_run(client, "upgrade", "heads")
    page = wait_run(client, run_id)
    words = text_of(page)
    assert "succeeded" in words, words
    assert "begin upgrade 4c0d8a2e9f65" in words and "done upgrade b93e1f7c5a20" in words
    assert current(demo_db) == ["b93e1f7c5a20"]
    backups = list((tmp_path / "backups").glob("*.dump"))
    assert len(backups) == 1 and backups[0].name.endswith("-7a6c0f9e3b18.dump")
    # downgrade needs the typed target revision
    plan = client.get("/migrations/plan?action=downgrade&target=-1")
    assert "Type 4c0d8a2e9f65 to confirm" in text_of(plan.text)
    wrong = post_form(client, "/migrations/apply", {"action": "downgrade", "target": "-1", "confirm": "yes"})
    assert wrong.status_code == 400 and "Type 4c0d8a2e9f65" in wrong.text
    assert current(demo_db) == ["b93e1f7c5a20"]
    run2 = start_run(client, "downgrade", "-1", confirm="4c0d8a2e9f65")
    assert "succeeded" in text_of(wait_run(client, run2))
    assert current(demo_db) == ["4c0d8a2e9f65"]
    runs = text_of(client.get("/migrations/runs").text)
    assert "#1" in runs and "#2" in runs and "7a6c0f9e3b18 → b93e1f7c5a20" in runs
    assert "b93e1f7c5a20 → 4c0d8a2e9f65" in runs


def test_live_log_replays_over_sse(client: Any) -> None:
    run_id = start_run(client, "upgrade", "heads", backup="off")
    wait_run(client, run_id)
    with client.stream("GET", f"/migrations/runs/{run_id}/events?after=0") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        body = "".join(response.iter_text())
    assert "event: line" in body and "Running upgrade 7a6c0f9e3b18 -&gt; 4c0d8a2e9f65" in body
    assert "event: done" in body and "succeeded" in body
    with client.stream("GET", f"/migrations/runs/{run_id}/events?after=3") as response:
        later = "".join(response.iter_text())
    assert "lock acquired" not in later and "event: done" in later


def test_history_survives_a_restart(demo_env: dict[str, str]) -> None:
    from support.web import make_client

    with make_client(demo_env) as first:
        run_id = start_run(first, "upgrade", "4c0d8a2e9f65", backup="off")
        wait_run(first, run_id)
    with make_client(demo_env) as second:
        page = second.get(f"/migrations/runs/{run_id}")
        assert page.status_code == 200 and "Running upgrade 7a6c0f9e3b18" in text_of(page.text)


def test_read_only_hides_and_refuses(demo_db: DatabaseUrl, tmp_path: Path) -> None:
    from support.web import demo_env, make_client

    with make_client(demo_env(demo_db, tmp_path, READ_ONLY="1")) as ro:
        page = ro.get("/migrations").text
        assert 'data-testid="upgrade-heads"' not in page and "Downgrade one step" not in page
        assert 'data-testid="confirm-form"' not in ro.get("/migrations/plan?action=upgrade&target=heads").text
        refused = post_form(ro, "/migrations/apply", {"action": "upgrade", "target": "heads"})
        assert refused.status_code == 403
    assert current(demo_db) == ["7a6c0f9e3b18"]


def test_plan_reviewed_against_an_older_revision_is_refused(client: Any, demo_db: DatabaseUrl) -> None:
    stale = post_form(client, "/migrations/apply", {"action": "upgrade", "target": "heads",
                                                    "reviewed_from": "5d8f3b6e2c47"})
    assert stale.status_code == 409 and "moved from 5d8f3b6e2c47 to 7a6c0f9e3b18" in text_of(stale.text)
    assert current(demo_db) == ["7a6c0f9e3b18"]
