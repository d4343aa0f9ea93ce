"""The moderators' audit log: every moderator action with who, what, when and why."""

from __future__ import annotations

from datetime import datetime

from app.extensions import db
from app.forum.models import ForumModerationLog


def audit(
    actor, action: str, target_type: str, target_id: int, reason: str, now: datetime, detail=""
) -> ForumModerationLog:
    """Append one entry; ``actor`` None means the system acted (automatic hiding by flags)."""
    entry = ForumModerationLog(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        reason=(reason or "")[:500],
        detail=(detail or "")[:500],
        created_at=now,
    )
    db.session.add(entry)
    return entry
