"""Settings, errors, logging and small value types. Standard library only."""
