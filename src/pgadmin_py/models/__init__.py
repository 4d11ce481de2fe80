"""The models feature: the project's models as facts next to the database (drift, cascades, the revisions
that touched each table) for the models pages and the ER diagram's marks."""
