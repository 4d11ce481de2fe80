"""Engine, connections, health and the embedded PostgreSQL."""
