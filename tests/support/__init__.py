"""Helpers shared by the test tiers (no fixtures here: those live in conftest.py files)."""
