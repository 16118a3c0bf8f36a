"""Prometheus metrics of one server, in a registry of its own (tests run several servers)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest


class ServerMetrics:
    """Connections, messages in/out, drops, resumes, errors, provider health, polls, resyncs, the
    supervised tasks' restarts and the fan-out's send path."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.connections = Gauge("scoreterm_connections", "Open WebSocket connections", registry=r)
        self.messages_in = Counter("scoreterm_messages_in", "Frames received from clients", registry=r)
        self.messages_out = Counter("scoreterm_messages_out", "Frames sent to clients", registry=r)
        self.drops = Counter("scoreterm_drops", "Connections dropped by the server", ["reason"], registry=r)
        self.rejected = Counter("scoreterm_rejected", "Upgrades refused", ["reason"], registry=r)
        self.errors = Counter("scoreterm_errors", "Error frames sent", ["code"], registry=r)
        self.resumes = Counter("scoreterm_resumes", "Resume attempts by outcome", ["outcome"], registry=r)
        self.provider_health = Gauge(
            "scoreterm_provider_health", "Provider health score (0-1)", ["provider"], registry=r
        )
        self.polls = Gauge("scoreterm_polls", "Scoreboard polls made by the engine", registry=r)
        self.resyncs = Counter(
            "scoreterm_resyncs", "Unasked recovered:false snapshots sent, by cause", ["reason"], registry=r
        )
        self.task_restarts = Gauge(
            "scoreterm_task_restarts", "Restarts of each supervised background task", ["task"], registry=r
        )
        self.degraded = Gauge("scoreterm_degraded", "1 while /health says degraded", registry=r)
        self.send_path = Gauge(
            "scoreterm_send_path",
            "1 for the fan-out's way of writing frames: shared (built once) or broadcast (websockets')",
            ["path"],
            registry=r,
        )

    def render(self) -> bytes:
        """The Prometheus text exposition."""
        return generate_latest(self.registry)
