"""Live chat settings (support plan 1.1: chat with Tier 1 during Tier 1 hours)."""

from __future__ import annotations

from app.settings import Setting, at_least

S = Setting
SETTINGS = [
    S("CHAT_MAX_CONCURRENT", 3, int, "Chats one agent holds at once (accepting more is refused).",
      at_least(1), section="chat"),
    S("CHAT_FIRST_RESPONSE_MINUTES", 2, int,
      "Chat's own first-response target, stricter than the ticket's (the console flags it).",
      at_least(1), section="chat"),
    S("CHAT_WAIT_TIMEOUT_MINUTES", 10, int,
      "A chat nobody accepted within this time becomes an ordinary request (`flask chat tick`).",
      at_least(1), section="chat"),
    S("CHAT_AWAY_AFTER_MINUTES", 10, int,
      "An online agent with no console activity for this long counts as away.",
      at_least(1), section="chat"),
    S("CHAT_ASSUMED_HANDLE_MINUTES", 8, int,
      "Average length of a chat, for the wait estimate shown in the queue.",
      at_least(1), section="chat"),
    S("CHAT_REDIS_URL", None, str,
      "Redis for chat fan-out between processes and hosts; unset: one process, in-process broker.",
      section="chat", env=False),
    S("CHAT_REDIS_CHANNEL", "helpcenter:chat", str,
      "The Redis pub/sub channel (several sites on one Redis each take their own).",
      section="chat"),
    S("CHAT_WAIT_SECONDS", 25, int,
      "How long one long-poll or stream request stays open before the client asks again.",
      at_least(1), section="chat"),
    S("CHAT_STREAMS_PER_PROCESS", 120, int,
      "Waiting chat requests one process holds; above it they answer at once (the client then "
      "polls), so page requests always find a free thread. Under gunicorn, gunicorn.conf.py sets "
      "it to GUNICORN_THREADS - GUNICORN_PAGE_THREADS (160).",
      at_least(0), section="chat"),
]  # fmt: skip
