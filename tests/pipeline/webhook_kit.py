"""The far end of the webhook channel in tests: what was POSTed, read back (fixture ``webhook``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass
class Webhook:
    """A local HTTP endpoint that keeps every body POSTed to it (the webhook channel's far end)."""

    url: str
    bodies: list[bytes] = field(default_factory=list)

    def payloads(self) -> list[dict]:
        return [json.loads(b) for b in self.bodies]

    def rules(self) -> list[str]:
        """The alert rule of each delivery, sorted."""
        return sorted(str(p["alert"]["rule"]) for p in self.payloads())

    def rules_once(self) -> list[str]:
        """The alert rule of each distinct delivery key, sorted: what a receiver keeps.

        The outbox delivers at least once: a copy sent by a process killed before it recorded the
        send comes again with the same ``delivery`` key, and receivers drop it (docs/usage.md, alerts).
        """
        return sorted({str(p["delivery"]): str(p["alert"]["rule"]) for p in self.payloads()}.values())
