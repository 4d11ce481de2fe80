"""A partitioned table two levels deep (range by date, then by id), with rows in each leaf: 999, 1500, 500."""

PARTITIONS = """
create table events (id bigint not null, at date not null, payload text) partition by range (at);
create table events_2024 partition of events for values from ('2024-01-01') to ('2025-01-01')
  partition by range (id);
create table events_2024_low partition of events_2024 for values from (0) to (1000);
create table events_2024_high partition of events_2024 for values from (1000) to (100000);
create table events_2025 partition of events for values from ('2025-01-01') to ('2026-01-01');
insert into events select g, date '2024-03-01', repeat('x', 200) from generate_series(1, 999) g;
insert into events select g, date '2024-06-01', repeat('y', 200) from generate_series(1000, 2499) g;
insert into events select g, date '2025-02-01', repeat('z', 200) from generate_series(1, 500) g;
"""
ANALYZE = "vacuum analyze events_2024_low, events_2024_high, events_2025"
