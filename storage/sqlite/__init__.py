"""SQLite implementation of the storage interface."""
