"""Project use cases: creating a project, showing status."""
