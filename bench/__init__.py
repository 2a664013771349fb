"""Benchmarks: Parley against a bare Channels relay on the same channel layer (not part of `make test`)."""
