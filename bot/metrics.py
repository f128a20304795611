"""Prometheus metrics of the delivery pipeline; no label ever names a person."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    """Built once per process on its own registry (no global default registry)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.planned = Counter("sharebot_deliveries_planned", "Deliveries planned", registry=r)
        self.sent = Counter("sharebot_deliveries_sent", "Messages sent", ["platform"], registry=r)
        self.failed = Counter(
            "sharebot_deliveries_failed", "Messages that failed", ["platform"], registry=r
        )
        self.dropped = Counter(
            "sharebot_deliveries_dropped",
            "Deliveries dropped before sending",
            ["reason"],
            registry=r,
        )
        self.uncertain = Counter(
            "sharebot_deliveries_uncertain",
            "Messages the platform may have shown without saying so, never sent again",
            ["platform", "reason"],
            registry=r,
        )
        self.repeated = Counter(
            "sharebot_requests_repeated",
            "Requests the platform delivered again, acknowledged without acting",
            ["platform"],
            registry=r,
        )
        self.rate_limited = Counter(
            "sharebot_rate_limited", "HTTP 429 answers seen", ["platform"], registry=r
        )
        self.queue_depth = Gauge(
            "sharebot_queue_depth", "Deliveries waiting to be sent", registry=r
        )
        self.dispatch_seconds = Histogram(
            "sharebot_dispatch_seconds", "Time to send one message", ["platform"], registry=r
        )
