"""The protocol: the JSON shapes of stored objects on the wire (docs/protocol.md)."""
