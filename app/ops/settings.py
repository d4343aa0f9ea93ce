"""Operations' settings (see ``docs/deploy.md``)."""

from __future__ import annotations

from app.settings import Setting, at_least

SETTINGS = [
    Setting("METRICS_TOKEN", "", str, "Bearer token that opens `/metrics` from any address.",
            section="ops"),
    Setting("METRICS_ALLOW_LOOPBACK", True, bool,
            "Loopback scrapes (not through a proxy) need no token.", section="ops"),
    Setting("METRICS_TIMER_LATE_SECONDS", 120, int,
            "When a due ticket timer counts as late (the timer runs every 30 seconds, so past "
            "two rounds it is not running or not keeping up).", at_least(1), section="ops"),
    Setting("BACKUP_DIR", "", str, "Where `flask backup create` writes without `--to`.",
            section="ops", shown="`instance/backups`"),
]  # fmt: skip
