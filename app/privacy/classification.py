"""The hand-written half of the data inventory: what each table's text columns hold.

Columns that cannot hold personal data by their type (numbers, booleans, dates, links to other
rows) are classified by :mod:`app.privacy.inventory` itself; every text, JSON or binary column,
and every ``*_id`` column that points at a person without a foreign key, must be named here.
A column missing here is *unclassified* and the completeness test fails.

Per table:

- ``owner``: the columns whose value is the person's id when the row is theirs;
- ``rows``: what erasure does to the person's rows: ``delete`` them, ``anonymise`` them (kept,
  attributed to the placeholder, personal columns blanked) or ``retain`` them (kept for the
  retention period, attributed to the placeholder, their own texts redacted); ``none``: no row
  belongs to anyone;
- ``kind``: the export file the rows go into (None: not exported);
- ``via``: ``(column, parent table)``: rows of the person's parent rows are theirs too for the
  export (a ticket's messages, a survey's answers);
- ``personal``: columns holding the person's data (exported; blanked/deleted on erasure);
- ``kept``: the person's public contributions (exported; kept under the placeholder);
- ``hidden``: never exported (password and token hashes, nonces), gone with the row;
- ``plain``: not personal (states, kinds, slugs, staff-written content);
- ``link``: ids of a person without a foreign key (moved to the placeholder on erasure).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TableSpec:
    owner: tuple[str, ...]
    rows: str
    kind: str | None
    personal: tuple[str, ...]
    kept: tuple[str, ...]
    hidden: tuple[str, ...]
    plain: tuple[str, ...]
    link: tuple[str, ...]
    via: tuple[str, str] | None
    export_filter: tuple[tuple[str, object], ...]
    note: str


def T(owner="", rows="none", kind=None, *, personal="", kept="", hidden="", plain="", link="",
      via=None, export_filter=(), note="") -> TableSpec:  # fmt: skip
    """One table's classification; column lists are space-separated names."""
    return TableSpec(
        tuple(owner.split()), rows, kind, tuple(personal.split()), tuple(kept.split()),
        tuple(hidden.split()), tuple(plain.split()), tuple(link.split()), via,
        tuple(export_filter), note,
    )  # fmt: skip


STAFF = "Staff work content; people are referred to by id only."
TABLES: dict[str, TableSpec] = {
    # --- accounts ---------------------------------------------------------------------------
    "user_account": T("id", "delete", "account", personal="email display_name",
                      hidden="password_hash", plain="role"),
    "login_session": T("user_id", "delete", "sessions", personal="user_agent",
                       hidden="token_hash"),
    "password_reset_token": T("user_id", "delete", None, hidden="token_hash"),
    "pending_registration": T("", "delete", None, personal="email display_name",
                              hidden="token_hash password_hash",
                              note="Matched by e-mail; retention deletes unconfirmed ones."),
    "api_token": T("user_id", "delete", "api_tokens", personal="name prefix",
                   hidden="token_hash"),
    # --- tickets ----------------------------------------------------------------------------
    "ticket": T("requester_id", "retain", "tickets", personal="description description_html",
                kept="subject", plain="category impact suggested_priority priority status "
                "channel flags guide_slug pauses",
                note="Kept for the retention period under the placeholder; the subject is "
                "scrubbed of the name and e-mail."),
    "ticket_message": T("author_id", "retain", "tickets", personal="body body_html",
                        via=("ticket_id", "ticket"), export_filter=(("internal", False),),
                        note="The person's own messages are redacted; agent replies are kept "
                        "and scrubbed. Internal notes are not exported."),
    "ticket_attachment": T("uploader_id", "delete", "tickets", personal="filename",
                           plain="stored_name content_type", via=("ticket_id", "ticket"),
                           note="The person's own files are deleted from disk."),
    "ticket_event": T("", "retain", "tickets", personal="before after", plain="kind rule",
                      via=("ticket_id", "ticket"),
                      note="Append-only; erasure redacts the person's data inside payloads."),
    "ticket_deflection": T("user_id", "delete", "tickets", personal="query",
                           plain="article_url outcome"),
    # --- forum ------------------------------------------------------------------------------
    "forum_category": T(plain="name slug description"),
    "forum_thread": T("author_id", "anonymise", "forum", kept="title",
                      plain="slug status escalated_ticket_ref", link="",
                      note="accepted_post_id and escalated_ticket_id point at rows, not people."),
    "forum_post": T("author_id", "anonymise", "forum",
                    kept="body body_html held_body held_body_html",
                    plain="body_hash status moderation_note"),
    "forum_post_revision": T("edited_by_id", "anonymise", "forum", kept="body",
                             via=("post_id", "forum_post")),
    "forum_like": T("user_id", "delete", "forum"),
    "forum_flag": T("flagger_id", "delete", "forum", personal="note", plain="reason outcome"),
    "forum_subscription": T("user_id", "delete", "follows"),
    "forum_read_mark": T("user_id", "delete", "follows"),
    "forum_notification": T("user_id", "delete", "follows", plain="kind"),
    "forum_user_state": T("user_id", "delete", "forum"),
    "forum_moderation_log": T(plain="action target_type reason detail", note=STAFF),
    "forum_review_item": T(plain="reason detail outcome", note=STAFF),
    # --- wiki -------------------------------------------------------------------------------
    "wiki_page": T("created_by_id", "anonymise", None, plain="slug title protection"),
    "wiki_revision": T("author_id", "anonymise", "wiki",
                       kept="title summary body html body_text", plain="kind status edit_token"),
    "wiki_watch": T("user_id", "delete", "follows"),
    "wiki_link": T(plain="target_slug"),
    "wiki_redirect": T(plain="slug"),
    # --- knowledge base ---------------------------------------------------------------------
    "kb_article": T(plain="slug title type section tags summary related screens body body_html "
                    "structure rendered_with video transcript source_path source_hash "
                    "visibility audience"),
    "kb_article_revision": T(plain="title summary tags body source source_hash comment",
                             note=STAFF),
    "kb_snippet": T(plain="key lang title body body_html rendered_with article_slug screens "
                    "source_hash"),
    "kb_snippet_revision": T(plain="title body source_hash"),
    "kb_tour": T(plain="name title description content_hash"),
    "kb_tour_step": T(plain="key target title body placement"),
    "kb_video_file": T(plain="origin status error original_name incoming_key fingerprint mp4_key "
                       "webm_key poster_key", note=STAFF),
    "kb_view_day": T(),
    "kb_vote": T("user_id", "delete", "kb", personal="visitor_id visitor_hash", plain="reason",
                 note="The article's helpful counters keep the vote as a number."),
    "kb_vote_salt": T(hidden="salt"),
    "kb_guide_outcome": T("user_id", "anonymise", "kb", plain="outcome",
                          note="Kept without the person (surveys point at it)."),
    "tour_progress": T("user_id", "delete", "kb", personal="install_id",
                       plain="tour_name status last_step"),
    # --- channels ---------------------------------------------------------------------------
    "channel_identity": T("user_id", "delete", "channels",
                          personal="address handle display_name", plain="kind"),
    "channel_inbound": T("", "delete", "channels", personal="source external_id reason raw_path",
                         plain="channel outcome", via=("identity_id", "channel_identity"),
                         note="The original .eml goes with the row."),
    "chat_conversation": T("requester_id", "retain", "chat", plain="origin status",
                           hidden="access_digest"),
    "chat_message": T("author_id", "retain", "chat", personal="body body_html",
                      plain="client_id role", via=("conversation_id", "chat_conversation")),
    "chat_agent_presence": T("user_id", "delete", "team", plain="status"),
    "social_account": T(plain="platform external_id name token_hint last_error",
                        hidden="token_ciphertext", note="The company's own pages."),
    "social_conversation": T("", "retain", "social",
                             personal="participant_id reply_to_id permalink", plain="kind",
                             via=("identity_id", "channel_identity")),
    "social_delivery": T(plain="action status platform_message_id error",
                         personal="target_id text",
                         note="Replies sent out; scrubbed of the person's name and handles."),
    # --- feedback ---------------------------------------------------------------------------
    "csat_survey": T("respondent_id", "anonymise", "surveys", personal="reason comment",
                     plain="source channel state skip_reason rating", hidden="link_nonce"),
    "csat_answer": T("", "anonymise", "surveys", personal="reason comment", plain="rating via",
                     via=("survey_id", "csat_survey")),
    "nps_invitation": T("user_id", "delete", "surveys", personal="why", plain="answered_via",
                        hidden="link_nonce"),
    "nps_wave": T(plain="quarter"),
    "feedback_preference": T("user_id", "delete", "surveys"),
    "feedback_report_sent": T(plain="key"),
    # --- incidents --------------------------------------------------------------------------
    "incident": T(plain="kind severity status title categories screens affected_features "
                  "workaround_url banner_text user_notice_steps", note=STAFF),
    "incident_entry": T(plain="kind body body_html request_token", note=STAFF),
    "incident_link": T(plain="how"),
    "incident_notice": T("user_id", "delete", "follows"),
    "incident_template": T(plain="kind file_hash", link="",
                           note="current_revision_id points at a revision."),
    "incident_template_revision": T(plain="sections source note", note=STAFF),
    # --- team -------------------------------------------------------------------------------
    "team_training_path": T(plain="key title description kind"),
    "team_training_module": T(plain="title intro intro_html month article_slugs video_url quiz "
                              "topics"),
    "team_quiz_attempt": T("user_id", "delete", "team", personal="answers"),
    "team_workshop_session": T(plain="title materials materials_html"),
    "team_workshop_attendance": T("user_id", "delete", "team"),
    "team_weekly_meeting": T(plain="figures"),
    "team_meeting_note": T("author_id", "anonymise", "team", kept="body body_html"),
    "team_action_item": T("owner_id", "anonymise", "team", kept="text"),
    "team_discussion_flag": T(plain="reason", note=STAFF),
    "team_monthly_review": T(plain="month"),
    "team_review_decision": T(plain="text", note=STAFF),
    # --- metrics ----------------------------------------------------------------------------
    "metrics_cursor": T(plain="name"),
    "metrics_day": T(plain="category priority channel measure", link="agent_id"),
    "metrics_ticket": T(plain="category priority channel next_replies resolutions reopens "
                        "escalations", link="agent_id"),
    "metrics_quality_audit": T(plain="ratings comment", link="agent_id", note=STAFF),
    "metrics_pulse_answer": T(plain="key comment",
                              note="Anonymous by design: not linked to anyone."),
    "metrics_pulse_receipt": T("user_id", "delete", "team"),
    "metrics_session": T("user_id", "delete", "help_sessions", hidden="key",
                         note="A day's salted key; the person's sessions go on erasure."),
    "metrics_session_article": T("", "delete", "help_sessions",
                                 via=("session_id", "metrics_session"),
                                 note="Goes with its session (foreign key cascade)."),
    "metrics_session_salt": T(hidden="salt", note="Deleted an hour after its day ends."),
    # --- search and plumbing ----------------------------------------------------------------
    "search_query_log": T(personal="query", plain="clicked_key token",
                          note="Anonymous (no user id; addresses masked): not exportable; "
                          "scrubbed on erasure, deleted by retention."),
    "search_document": T(plain="key doc_type title tags body category section url fingerprint "
                         "tsv head", link="",
                         note="Built from public content; rebuilt after erasure."),
    "search_word": T(plain="word"),
    "outbox_event": T(personal="payload", plain="kind last_error",
                      note="Mail to the person is deleted on erasure; other payloads scrubbed."),
    "tally_batch": T(plain="id"),
    "ticket_event_unlock": T(plain="reason", note="Empty outside erasure and retention."),
    # --- privacy requests (privacy-flows) ---------------------------------------------------
    "privacy_request": T("subject_id", "anonymise", "privacy_requests",
                         personal="notify_email reason decision_note error",
                         hidden="archive_path link_nonce", plain="kind status result",
                         note="Kept as the record that a request was made and done."),
}  # fmt: skip

#: ``*_id`` columns without a foreign key that point at rows, not people.
ROW_POINTERS = {
    "forum_thread": ("accepted_post_id", "escalated_ticket_id"),
    "forum_read_mark": ("last_post_id",),
    "forum_moderation_log": ("target_id",),
    "incident_template": ("current_revision_id",),
    "metrics_cursor": ("last_event_id",),
    "search_document": ("object_id",),
    "metrics_ticket": ("ticket_id",),
    "metrics_session_article": ("article_id",),
}
#: People's columns that assign work: an erased agent's open work goes back to the queue
#: (cleared) instead of to the placeholder, which can never act on it.
UNASSIGN_ON_ERASURE = {
    "ticket": ("assignee_id",),
    "chat_conversation": ("agent_id",),
    "forum_review_item": ("claimed_by_id",),
}
