"""SDMX: the statistical world's exchange format, over the same figures as /v1."""
