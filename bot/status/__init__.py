"""`/mle status`: what a channel or a project stands at."""
