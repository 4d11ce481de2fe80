"""The data browser: list relations, page through rows (keyset), filter, sort, count, export."""
