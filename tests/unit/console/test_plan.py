"""EXPLAIN JSON to a plan tree: self time, misestimates, hot nodes."""

from __future__ import annotations

from pgadmin_py.console.plan import parse_plan

ANALYZED = [{
    "Plan": {
        "Node Type": "Hash Join", "Join Type": "Inner", "Startup Cost": 10.0, "Total Cost": 100.0,
        "Plan Rows": 50, "Plan Width": 8, "Actual Startup Time": 0.5, "Actual Total Time": 10.0,
        "Actual Rows": 5000, "Actual Loops": 1, "Hash Cond": "(a.id = b.a_id)", "Shared Hit Blocks": 12,
        "Plans": [
            {"Node Type": "Seq Scan", "Parent Relationship": "Outer", "Relation Name": "big", "Alias": "b",
             "Schema": "public", "Startup Cost": 0.0, "Total Cost": 80.0, "Plan Rows": 5000,
             "Actual Startup Time": 0.01, "Actual Total Time": 7.0, "Actual Rows": 5000, "Actual Loops": 1,
             "Filter": "(x > 1)", "Rows Removed by Filter": 10, "Shared Read Blocks": 40},
            {"Node Type": "Hash", "Parent Relationship": "Inner", "Startup Cost": 5.0, "Total Cost": 5.0,
             "Plan Rows": 10, "Actual Startup Time": 1.0, "Actual Total Time": 1.0, "Actual Rows": 10,
             "Actual Loops": 1,
             "Plans": [{"Node Type": "Index Scan", "Index Name": "a_pkey", "Relation Name": "a", "Alias": "a",
                        "Startup Cost": 0.0, "Total Cost": 5.0, "Plan Rows": 10, "Actual Startup Time": 0.2,
                        "Actual Total Time": 0.1, "Actual Rows": 2, "Actual Loops": 5}]},
        ],
    },
    "Planning Time": 0.3, "Execution Time": 10.5, "Triggers": [{"Trigger Name": "t", "Time": 1.0, "Calls": 3}],
}]


def test_tree_times_and_titles() -> None:
    plan = parse_plan(ANALYZED)
    root = plan.root
    assert plan.analyzed and plan.nodes == 4 and plan.execution_ms == 10.5
    assert root.title == "Hash Join"
    scan, hashed = root.children
    assert scan.title == "Seq Scan on public.big b"
    assert hashed.children[0].title == "Index Scan using a_pkey on a"
    assert hashed.children[0].total_ms == 0.5  # 0.1 ms x 5 loops
    assert scan.self_ms == 7.0 and abs((root.self_ms or 0) - 2.0) < 1e-9  # 10 - 7 - 1
    assert ("Filter", "(x > 1)") in scan.details and scan.buffers == {"shared read": 40}
    assert plan.triggers == (("t", 1.0, 3),)


def test_misestimates_and_hot_nodes() -> None:
    plan = parse_plan(ANALYZED)
    root, scan = plan.root, plan.root.children[0]
    assert root.misestimate == 100.0 and root.underestimated
    assert scan.misestimate is None
    assert plan.hot[0] is scan and scan.hot and root.hot
    assert abs(sum(n.share for n in plan.walk()) - 1.0) < 1e-9


def test_plan_without_analyze_ranks_by_cost() -> None:
    plan = parse_plan([{"Plan": {"Node Type": "ModifyTable", "Operation": "Delete", "Relation Name": "t",
                                 "Alias": "t", "Startup Cost": 0, "Total Cost": 30, "Plan Rows": 0,
                                 "Plans": [{"Node Type": "Seq Scan", "Relation Name": "t", "Alias": "t",
                                            "Startup Cost": 0, "Total Cost": 25, "Plan Rows": 100}]}}])
    assert not plan.analyzed and plan.root.title == "Delete on t"
    assert plan.root.misestimate is None and plan.root.self_ms is None
    assert plan.hot[0].title == "Seq Scan on t" and abs(plan.hot[0].share - 25 / 30) < 1e-9


def test_never_executed_nodes() -> None:
    plan = parse_plan([{"Plan": {"Node Type": "Seq Scan", "Relation Name": "t", "Startup Cost": 0,
                                 "Total Cost": 1, "Plan Rows": 1000, "Actual Startup Time": 0,
                                 "Actual Total Time": 0, "Actual Rows": 0, "Actual Loops": 0}}])
    assert plan.root.never_executed and plan.root.misestimate is None and plan.root.total_ms == 0.0


def test_text_plan_is_drawn_in_postgresqls_layout() -> None:
    from pgadmin_py.console.plan_text import text_plan

    assert text_plan(ANALYZED).splitlines() == [
        "Hash Join  (cost=10.00..100.00 rows=50 width=8) (actual time=0.500..10.000 rows=5000 loops=1)",
        "  Join Type: Inner",
        "  Hash Cond: (a.id = b.a_id)",
        "  Buffers: shared hit=12",
        "  ->  Seq Scan on public.big b  (cost=0.00..80.00 rows=5000 width=0) "
        "(actual time=0.010..7.000 rows=5000 loops=1)",
        "        Filter: (x > 1)",
        "        Rows Removed by Filter: 10",
        "        Buffers: shared read=40",
        "  ->  Hash  (cost=5.00..5.00 rows=10 width=0) (actual time=1.000..1.000 rows=10 loops=1)",
        "        ->  Index Scan using a_pkey on a  (cost=0.00..5.00 rows=10 width=0) "
        "(actual time=0.200..0.100 rows=2 loops=5)",
        "Trigger t: time=1 calls=3",
        "Planning Time: 0.300 ms",
        "Execution Time: 10.500 ms",
    ]
