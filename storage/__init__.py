"""Persistence: a small repository interface and its SQLite implementation."""
