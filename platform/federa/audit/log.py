"""Recording audit entries from services (inside their transaction)."""

from __future__ import annotations

from typing import Any

from federa.audit.models import AuditEntry


async def record(
    action: str,
    *,
    actor: Any = None,
    network: Any = None,
    obj: Any = None,
    **data: Any,
) -> AuditEntry:
    """Write one audit row; call it inside the service's transaction."""
    return await AuditEntry.create(
        action=action,
        actor_id=getattr(actor, "id", None),
        network_id=network if isinstance(network, int) else getattr(network, "id", None),
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "id", "")) if obj is not None else "",
        data={k: v for k, v in data.items() if v is not None},
    )
