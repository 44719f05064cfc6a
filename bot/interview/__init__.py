"""The threaded interview: question bank, answer parsing, flow, rendering, service."""
