"""Persistence: the `Store` interface (store.py), repositories shared by both engines
(repos/), and two engines: SQLite (sqlite/) and PostgreSQL (postgres/)."""
