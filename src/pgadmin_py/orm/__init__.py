"""The user's SQLAlchemy models as facts: the probe that reads them in the project's interpreter, and the
frozen records the pages are built from."""
