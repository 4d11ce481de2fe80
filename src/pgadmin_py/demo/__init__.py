"""Bundled demo project: a small brokerage schema with models, Alembic history and seed data.

It doubles as an *external* project (mounted read-only and loaded as ``demo.models:Base``),
so nothing in here may import from ``pgadmin_py``: only the standard library, SQLAlchemy,
Alembic and psycopg. Modules refer to each other with sibling-relative imports, which work
whether the package is imported as ``pgadmin_py.demo`` or as a top-level ``demo``;
``models.py`` imports no sibling at all because Alembic's ``env.py`` loads it as ``models``.
"""
