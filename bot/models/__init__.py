"""Deployed models and their business metrics: commands, reminders, modals."""
