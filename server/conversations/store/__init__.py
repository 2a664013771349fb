"""Hand-written SQL of the hot paths, and the event loop's own PostgreSQL connection."""
