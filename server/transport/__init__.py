"""Guards below the ASGI application, in daphne/Twisted: bounded socket buffers, clean refusals of big input.

In force when Parley is served by `python -m server.serve` (server/serve.py), which runs daphne with
`server.transport.server.ParleyServer`; plain `daphne` has none of them (docs/transport.md).
"""
