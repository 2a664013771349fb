"""Limits that hold across sockets and processes: the client's IP, the shared counters, the named limits."""
