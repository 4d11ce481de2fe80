"""The ER diagram: a graph of tables and foreign keys from the catalog, a layout, and its SVG."""
