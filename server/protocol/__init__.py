"""The wire protocol: pydantic models of every frame and object, their validation and JSON Schema.

The one machine-readable source of docs/protocol.md; wire.py builds its objects from stored rows.
"""
