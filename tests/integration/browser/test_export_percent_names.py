"""Column names with % in them: filtered exports must not mistake them for parameter placeholders."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import psycopg

from pgadmin_py.core.dburl import DatabaseUrl
from support.web import make_client


def test_filtered_export_of_a_table_with_percent_in_column_names(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    with psycopg.connect(empty_db.libpq(), autocommit=True) as conn:
        conn.execute('create table t (id int primary key, "a%b" text, "c%s" int)')
        conn.execute("insert into t select g, 'x' || g, g from generate_series(1, 30) g")
    env = {"DATABASE_URL": empty_db.libpq(), "PROJECT_DIR": str(tmp_path), "DATA_DIR": str(tmp_path)}
    with make_client(env) as client:
        assert client.get("/tables/public/t?a%25b__contains=x2").status_code == 200
        as_csv = client.get("/tables/public/t/export/csv?id__gte=28&a%25b__contains=x2")
        as_jsonl = client.get("/tables/public/t/export/jsonl?id__gte=28")
    assert as_csv.status_code == 200, as_csv.text[-500:]
    assert list(csv.reader(io.StringIO(as_csv.text))) == [["id", "a%b", "c%s"], ["28", "x28", "28"],
                                                          ["29", "x29", "29"]]
    assert as_jsonl.status_code == 200, as_jsonl.text[-500:]
    assert [json.loads(line) for line in as_jsonl.text.splitlines()] == [
        {"id": n, "a%b": f"x{n}", "c%s": n} for n in (28, 29, 30)]
