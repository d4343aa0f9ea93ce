"""Settings of the e-mail channel: the support address, the IMAP mailbox ``flask mail fetch``
reads, where originals are kept, and the loop and spoofing guards."""

from __future__ import annotations

from app.settings import Setting, at_least, one_of


def _address(value) -> None:
    if value.count("@") != 1 or "+" in value.partition("@")[0]:
        raise ValueError(f"must be a plain address like support@example.com, got {value!r}")


S = Setting
SETTINGS = [
    S("EMAIL_SUPPORT_ADDRESS", "support@growgrebuddy.com", str,
      "The support address. Replies go to `local+<ticket token>@domain` (the MTA must deliver "
      "plus-addresses to the same mailbox).", _address, section="email"),
    S("EMAIL_IMAP_HOST", "", str, "IMAP server `flask mail fetch` reads (empty: not set up).",
      section="email"),
    S("EMAIL_IMAP_PORT", 993, int, "Its port.", at_least(1), section="email"),
    S("EMAIL_IMAP_SECURITY", "tls", str,
      "`tls` (implicit TLS), `starttls`, or `none` (loopback only).",
      one_of("tls", "starttls", "none"), section="email"),
    S("EMAIL_IMAP_USERNAME", "", str, "IMAP login.", section="email"),
    S("EMAIL_IMAP_PASSWORD", "", str, "IMAP password.", section="email", shown="(empty)"),
    S("EMAIL_IMAP_FOLDER", "INBOX", str, "Folder read for new mail.", section="email"),
    S("EMAIL_IMAP_TIMEOUT", 30.0, float, "Seconds any IMAP network wait may take.",
      at_least(1), section="email"),
    S("EMAIL_RAW_DIR", None, str,
      "Where each received message is kept as `.eml` (default `instance/mail-in`).",
      section="email"),
    S("EMAIL_SPOOL_DIR", None, str,
      "Where `scripts/mail-receive` (the MTA's pipe) leaves messages for `flask mail drain` "
      "(default `instance/mail-spool`). Set it in the environment "
      "(`HELPCENTER_EMAIL_SPOOL_DIR`), which both read, or pass the script the folder.",
      section="email"),
    S("EMAIL_MAX_MESSAGE_BYTES", 40 * 1024 * 1024, int,
      "A larger message is quarantined unread (its original kept).", at_least(1024),
      section="email"),
    S("EMAIL_SENDER_MAX_PER_HOUR", 30, int,
      "Messages one address may open or add per hour; more are quarantined (a loop or a flood).",
      at_least(1), section="email"),
    S("EMAIL_TRUSTED_AUTHSERV_ID", None, str,
      "The authserv-id of our receiving MTA's `Authentication-Results` header (e.g. "
      "`mx.growgrebuddy.com`). When it reports DMARC (or SPF, without DMARC) failing, the "
      "sender is unverified. Unset: From is taken as the MTA delivered it.", section="email"),
    S("EMAIL_SUGGESTED_ARTICLES", 3, int,
      "Help articles suggested in the acknowledgement of a new e-mail request.", at_least(0),
      section="email"),
]  # fmt: skip
