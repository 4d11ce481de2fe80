"""The user's SQLAlchemy models: import, introspection, automap for tables without a model."""
