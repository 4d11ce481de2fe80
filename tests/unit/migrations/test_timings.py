"""A rehearsal's timings read back from the child's markers: statements under the revision that ran them."""

from pgadmin_py.migrations.timings import read_timings

LOG = """::pgadmin-py:: start upgrade b
::pgadmin-py:: stmt 0.3 SELECT alembic_version.version_num FROM alembic_version
INFO  [alembic.runtime.migration] Running upgrade  -> a, first
::pgadmin-py:: begin upgrade a
::pgadmin-py:: stmt 1.5 CREATE TABLE t (id INTEGER)
::pgadmin-py:: stmt 20.0 INSERT INTO t SELECT 1
::pgadmin-py:: done upgrade a 23.4ms
::pgadmin-py:: stmt 0.7 INSERT INTO alembic_version (version_num) VALUES ('a')
::pgadmin-py:: begin upgrade b
::pgadmin-py:: stmt-failed 4.0 CREATE UNIQUE INDEX u ON t (id)
::pgadmin-py:: error IntegrityError: could not create unique index "u"
"""


def test_statements_are_grouped_under_their_revision_and_the_failing_one_is_named() -> None:
    timings = read_timings(LOG.splitlines())
    first, second = timings.revisions
    assert (first.revision, first.ms) == ("a", 23.4)
    assert [s.sql for s in first.statements] == ["CREATE TABLE t (id INTEGER)", "INSERT INTO t SELECT 1"]
    assert first.slowest is not None and first.slowest.ms == 20.0
    assert (second.revision, second.ms) == ("b", None)  # did not finish
    assert timings.failed_statement is not None and timings.failed_statement.sql == "CREATE UNIQUE INDEX u ON t (id)"
    assert round(timings.other_ms, 1) == 1.0  # Alembic's own: reading and moving the version table


def test_a_log_without_markers_has_no_timings() -> None:
    timings = read_timings(["INFO  [alembic.runtime.migration] Running upgrade  -> a, first"])
    assert timings.revisions == () and timings.failed_statement is None
