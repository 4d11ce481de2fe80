"""The SQL console: run with limits, EXPLAIN plans, history and saved queries."""
