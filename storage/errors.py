"""Errors every backend raises in the same words."""


class DuplicateKey(Exception):
    """A unit of work inserted a row whose unique key is taken (a name already in use)."""


class Unavailable(Exception):
    """The database cannot be reached or opened; the message says where and why."""
