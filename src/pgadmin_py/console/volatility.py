"""Which of the functions a batch may run are VOLATILE, asked of ``pg_proc`` on the console's own connection.

A function PostgreSQL marks IMMUTABLE or STABLE cannot change the database (the server refuses writes
inside one). A VOLATILE one may: ``nextval``, ``pg_terminate_backend``, ``lo_export``, ``dblink_exec``, a
user's function that deletes rows. Names are matched in every schema, whatever the search path: a batch
may ``SET search_path`` before the call, and refusing a harmless name twin is cheaper than missing one.
Besides the functions a statement names, the guard looks at those it runs without naming them: the
functions behind its operators, and what the views and row-level security policies it reads call (their
SQL is read back from the catalog and parsed like the user's: PostgreSQL records no dependency on its
built-in functions, so ``pg_depend`` alone would miss a view over ``nextval``).
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

# VOLATILE in pg_catalog, and harmless: randomness, clocks, sleeping (bounded by the statement timeout),
# reading this session's own sequence values, and reading sizes, statistics and status.
CATALOG_ALLOWED = frozenset({
    "random", "random_normal", "setseed", "gen_random_uuid", "uuidv4", "uuidv7", "clock_timestamp", "timeofday",
    "pg_sleep", "pg_sleep_for", "pg_sleep_until", "currval", "lastval", "current_query",
    "pg_database_size", "pg_relation_size", "pg_table_size", "pg_indexes_size", "pg_total_relation_size",
    "pg_tablespace_size", "pg_sequence_last_value", "pg_lock_status", "pg_blocking_pids",
    "pg_safe_snapshot_blocking_pids", "pg_prepared_xact", "pg_is_in_recovery", "pg_is_wal_replay_paused",
    "pg_get_wal_replay_pause_state", "pg_last_wal_receive_lsn", "pg_last_wal_replay_lsn",
    "pg_last_xact_replay_timestamp", "pg_current_wal_lsn", "pg_current_wal_insert_lsn", "pg_current_wal_flush_lsn",
    "pg_last_committed_xact", "pg_xact_commit_timestamp", "pg_xact_commit_timestamp_origin", "pg_xact_status",
    "txid_status", "pg_jit_available", "pg_notification_queue_usage", "pg_partition_tree", "pg_partition_ancestors",
    "pg_collation_actual_version", "pg_database_collation_actual_version", "pg_get_backend_memory_contexts",
    "pg_get_shmem_allocations", "pg_get_multixact_members", "pg_get_wal_resource_managers",
    "pg_show_replication_origin_status", "pg_stat_get_recovery_prefetch", "pg_stat_have_stats",
    "pg_control_checkpoint", "pg_control_init", "pg_control_recovery", "pg_control_system",
    "pg_stat_get_xact_blocks_fetched", "pg_stat_get_xact_blocks_hit", "pg_stat_get_xact_function_calls",
    "pg_stat_get_xact_function_self_time", "pg_stat_get_xact_function_total_time", "pg_stat_get_xact_numscans",
    "pg_stat_get_xact_tuples_deleted", "pg_stat_get_xact_tuples_fetched", "pg_stat_get_xact_tuples_hot_updated",
    "pg_stat_get_xact_tuples_inserted", "pg_stat_get_xact_tuples_returned", "pg_stat_get_xact_tuples_updated",
    "pg_stat_get_xact_tuples_newpage_updated",
})

# VOLATILE functions of common extensions that only read or make random values.
EXTENSION_ALLOWED = frozenset({
    ("pg_stat_statements", "pg_stat_statements"), ("pg_stat_statements", "pg_stat_statements_info"),
    ("pgcrypto", "gen_random_uuid"), ("pgcrypto", "gen_random_bytes"), ("pgcrypto", "gen_salt"),
    ("uuid-ossp", "uuid_generate_v1"), ("uuid-ossp", "uuid_generate_v1mc"), ("uuid-ossp", "uuid_generate_v4"),
    ("pg_buffercache", "pg_buffercache_pages"), ("pg_buffercache", "pg_buffercache_summary"),
})

_LOOKUP = """
select 'function', p.proname::text, n.nspname::text, p.proname::text, e.extname::text
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  left join pg_depend x on x.classid = 'pg_proc'::regclass and x.objid = p.oid and x.deptype = 'e'
  left join pg_extension e on e.oid = x.refobjid
 where p.provolatile = 'v' and p.proname = any(%(functions)s)
union all
select 'operator', o.oprname::text, n.nspname::text, p.proname::text, e.extname::text
  from pg_operator o join pg_proc p on p.oid = o.oprcode join pg_namespace n on n.oid = p.pronamespace
  left join pg_depend x on x.classid = 'pg_proc'::regclass and x.objid = p.oid and x.deptype = 'e'
  left join pg_extension e on e.oid = x.refobjid
 where p.provolatile = 'v' and o.oprname = any(%(operators)s)
union all
select 'view', c.relname::text, pg_get_viewdef(c.oid), null, null
  from pg_class c where c.relkind = 'v' and c.relname = any(%(relations)s)
union all
select 'policy', c.relname::text, 'select 1 where (' || coalesce(pg_get_expr(p.polqual, p.polrelid), 'true')
       || ') and (' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), 'true') || ')', null, null
  from pg_policy p join pg_class c on c.oid = p.polrelid
 where c.relrowsecurity and c.relname = any(%(relations)s)
"""


@dataclass(frozen=True, slots=True)
class Volatile:
    """A VOLATILE function that is not on the allowlist, and the name the batch reaches it by."""

    via: str  # function | operator
    name: str  # the function's name, or the operator's
    schema: str  # of the function
    function: str


def allowed(schema: str, function: str, extension: str | None) -> bool:
    if extension is not None:
        return (extension, function) in EXTENSION_ALLOWED
    return schema == "pg_catalog" and function in CATALOG_ALLOWED


def lookup(conn: psycopg.Connection, functions: set[str], operators: set[str],
           relations: set[str]) -> tuple[list[Volatile], list[tuple[str, str]]]:
    """The VOLATILE, not allowlisted functions these names (in any schema) stand for; and the SQL that
    reading these relations runs besides their rows: view definitions and row-level security policies."""
    if not (functions or operators or relations):
        return [], []
    rows = conn.execute(_LOOKUP, {"functions": sorted(functions), "operators": sorted(operators),
                                  "relations": sorted(relations)}).fetchall()
    volatile = [Volatile(via, name, schema, function) for via, name, schema, function, extension in rows
                if via in ("function", "operator") and not allowed(schema, function, extension)]
    definitions = [(name, sql) for via, name, sql, _, _ in rows if via in ("view", "policy")]
    return volatile, definitions
