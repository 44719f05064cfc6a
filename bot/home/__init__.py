"""App Home: each person's dashboard."""
