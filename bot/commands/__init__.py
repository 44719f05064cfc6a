"""The `/mle` slash command: parsing (pure) and usage text."""
