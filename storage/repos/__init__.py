"""Repositories shared by every backend: plain SQL over a `storage.sql.Conn`."""
