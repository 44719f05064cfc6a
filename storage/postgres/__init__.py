"""PostgreSQL backend (the optional extra `mle-coach[postgres]`), for several replicas."""
