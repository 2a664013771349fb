"""Limits that hold across sockets and processes (the limits helper's package; a stand-in here)."""
