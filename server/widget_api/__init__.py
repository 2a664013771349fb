"""The widget's HTTP API: its scripts, its public settings and visitor sessions."""
