"""What the real Alembic CLI runs: a child-process oracle for the branched-plan tests.

    python alembic_oracle.py ALEMBIC_INI  < cases.json  > answers.json

Each case is ``{"current": [...], "action": "upgrade"|"downgrade", "target": "...", "sql": bool}``, run
through the CLI's own entry point (``alembic.config.main``); the answer is the revisions of the
``Running upgrade X -> Y`` steps, in order, or the CLI's error.

- ``sql``: ``alembic upgrade|downgrade CURRENT:TARGET --sql`` (offline: the steps are the
  ``-- Running ...`` comments of the SQL). Offline mode starts from one revision at most.
- online: the database (DATABASE_URL) is stamped at ``current`` with ``alembic stamp --purge``, then
  ``alembic upgrade|downgrade TARGET`` really runs and its log lines are read. This is how the CLI
  starts from several heads; it needs scripts that do nothing (the synthetic projects).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
import sys
import warnings

from alembic.config import main

_STEP = re.compile(r"^(?:-- )?Running (upgrade|downgrade) (.*)$")


def _revision(line: str) -> str | None:
    """The script a step runs: ``upgrade A, B -> C, doc`` runs C; ``downgrade C -> A, B`` runs C."""
    match = _STEP.match(line.strip())
    if not match:
        return None
    action, rest = match.groups()
    before, _, after = rest.partition("->")
    return (after.strip().split(",")[0] if action == "upgrade" else before).strip()


class Steps(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.revisions: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if (revision := _revision(record.getMessage())) is not None:
            self.revisions.append(revision)


def offline(ini: str, current: list[str], action: str, target: str) -> dict[str, object]:
    sql = io.StringIO()
    try:
        with contextlib.redirect_stdout(sql):
            main(argv=["--raiseerr", "-c", ini, action, f"{current[0] if current else 'base'}:{target}", "--sql"])
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {"revisions": [r for line in sql.getvalue().splitlines() if (r := _revision(line)) is not None]}


def answer(ini: str, case: dict[str, object]) -> dict[str, object]:
    current = [str(c) for c in case["current"]] if isinstance(case["current"], list) else []
    if case.get("sql"):
        return offline(ini, current, str(case["action"]), str(case["target"]))
    main(argv=["--raiseerr", "-c", ini, "stamp", "--purge", *(current or ["base"])])
    steps = Steps()
    logger = logging.getLogger("alembic.runtime.migration")
    logger.addHandler(steps)
    logger.setLevel(logging.INFO)
    try:
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            main(argv=["--raiseerr", "-c", ini, str(case["action"]), str(case["target"])])
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        logger.removeHandler(steps)
    ambiguous = any("is ambiguous" in str(w.message) for w in said)
    return {"revisions": steps.revisions, **({"warning": "ambiguous"} if ambiguous else {})}


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    cases = json.load(sys.stdin)
    json.dump([answer(sys.argv[1], case) for case in cases], sys.stdout)
