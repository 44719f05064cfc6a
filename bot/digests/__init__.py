"""Channel digests: what needs attention first, then every project and model."""
