"""The wire protocol as pydantic models: the one machine-readable source of docs/protocol.md."""
