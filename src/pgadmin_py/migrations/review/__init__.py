"""Review of a plan's offline SQL: each statement parsed by PostgreSQL's own parser (pglast), its lock and
rewrite impact with the live table sizes, what the data says, what would be lost, and the safe way."""
