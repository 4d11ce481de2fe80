"""Visual Alembic: revision graph and status, previews, the child-process runner, backups."""
