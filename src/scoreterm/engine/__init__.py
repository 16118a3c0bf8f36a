"""The engine: time, polling, provider health and failover, match state and events (no UI)."""
