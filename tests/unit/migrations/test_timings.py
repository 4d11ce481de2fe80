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


WRAPPER_LOG = """INFO  [alembic.runtime.migration] Running upgrade  -> a, first
::pgadmin-py:: stmt 1.5 CREATE TABLE t (id INTEGER)
::pgadmin-py:: stmt 2.5 INSERT INTO t SELECT 1
INFO  [alembic.runtime.migration] Running upgrade a -> b, second
::pgadmin-py:: stmt 4.0 CREATE INDEX i ON t (id)
"""


def test_through_a_wrapper_alembic_own_lines_delimit_the_revisions() -> None:
    finished = read_timings(WRAPPER_LOG.splitlines(), finished=True)
    assert [(t.revision, t.ms, len(t.statements)) for t in finished.revisions] == [("a", 4.0, 2), ("b", 4.0, 1)]
    failed = read_timings(WRAPPER_LOG.splitlines())
    assert [(t.revision, t.ms) for t in failed.revisions] == [("a", 4.0), ("b", None)]
    assert read_timings(["no progress at all"]).revisions == ()
