"""Read-only facts from PostgreSQL's own catalog, as frozen dataclasses."""
