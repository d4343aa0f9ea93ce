"""Settings of privacy requests: how long an export link works, how often a person may export,
and the cooling-off before an account is erased (docs/privacy-requests.md)."""

from __future__ import annotations

from app.settings import Setting, at_least

S = Setting
SETTINGS = [
    S("PRIVACY_EXPORT_LINK_DAYS", 7, int,
      "Days a data-export download link (and its archive) works; then the archive is deleted.",
      at_least(1), section="privacy-requests"),
    S("PRIVACY_EXPORT_INTERVAL_HOURS", 24, int,
      "A person may ask for one export of their data per this many hours.", at_least(0),
      section="privacy-requests"),
    S("PRIVACY_ERASURE_COOLING_OFF_DAYS", 7, int,
      "Days between \"Delete my account\" (or an approved erasure) and the erasure; signing in "
      "meanwhile cancels it.", at_least(0), section="privacy-requests"),
    S("PRIVACY_EXPORT_DIR", None, str,
      "Where export archives wait for their download; empty: `instance/privacy_exports`.",
      section="privacy-requests"),
]  # fmt: skip
