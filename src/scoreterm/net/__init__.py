"""The network layer: the versioned wire protocol, the WebSocket server and its client.

``protocol`` is pure (msgspec only, no I/O): the messages both ends exchange, their encoding and
validation, and the mapping between engine updates and wire frames. See ``docs/protocol.md``.
"""
