"""Scheduled stage check-ins: the post, its buttons, replies and nudges."""
