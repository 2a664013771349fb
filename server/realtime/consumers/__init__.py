"""WebSocket consumers: decode a frame, call a service or selector off the event loop, reply."""
