"""Pure domain code: no Slack, no database, `now` passed in."""
