"""`mle-coach sandbox`: the real app against the local Slack emulator, in a terminal."""
