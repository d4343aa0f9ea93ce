"""Every permission check of the site, in one place. Deny by default.

A permission is a name like ``wiki.edit``. Roles grant sets of names; a name that no role grants
is refused for everybody, so a typo denies rather than allows. Checks that depend on an object
(the author of a post, the requester of a ticket) are small predicates below, each next to the
role rules they refine. Views call :func:`require` or :func:`can`; templates call ``can(...)``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, redirect, request, url_for
from flask_login import current_user

EVERYONE = frozenset({"kb.read", "wiki.read", "forum.read", "search.use"})
MEMBER = EVERYONE | {
    "account.manage", "api.tokens", "forum.post", "forum.flag", "forum.like", "forum.follow",
    "tickets.submit", "wiki.edit", "wiki.watch",
}  # fmt: skip
CONTRIBUTOR = MEMBER | {"wiki.edit_semi_protected"}
MODERATOR = CONTRIBUTOR | {
    "forum.moderate", "forum.audit", "wiki.moderate", "wiki.edit_protected", "search.stats",
    "tickets.escalate_thread",
}  # fmt: skip
AGENT = MEMBER | {
    "kb.edit", "kb.history", "kb.internal", "tickets.work", "tickets.escalate_thread",
    "search.stats", "metrics.view", "metrics.pulse", "incidents.view", "feedback.reports",
    "team.train", "team.meet", "chat.answer", "privacy.request",
}  # fmt: skip
#: The incident role: agents who declare and run incidents (drills too), edit the crisis
#: templates and post announcements. Every agent sees incidents (drills included).
INCIDENT_LEAD = AGENT | {"incidents.manage", "forum.announce"}
#: Admins are the support team leads: they follow up bad ratings, see the feedback rules and
#: everyone's figures, run the quality audits, see every internal space and lead the team.
ADMIN = MODERATOR | AGENT | INCIDENT_LEAD | {
    "users.manage", "tickets.configure", "kb.sync", "outbox.view", "feedback.follow_up",
    "feedback.configure", "metrics.view_all", "metrics.audit", "kb.internal_all", "team.lead",
    "channels.quarantine",
    "privacy.inventory", "privacy.approve",
}  # fmt: skip

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "anonymous": EVERYONE,
    "member": frozenset(MEMBER),
    "contributor": frozenset(CONTRIBUTOR),
    "moderator": frozenset(MODERATOR),
    "agent_t1": frozenset(AGENT),
    "agent_t2": frozenset(AGENT | INCIDENT_LEAD),
    "agent_t3": frozenset(AGENT | INCIDENT_LEAD),
    "admin": frozenset(ADMIN),
}


def role_of(user: Any) -> str:
    """The role whose permissions apply; signed-out and suspended people are anonymous."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    if getattr(user, "is_suspended", False):
        return "anonymous"
    return user.role


def can(user: Any, permission: str) -> bool:
    """Whether ``user`` (a User, None or Flask-Login's anonymous user) holds ``permission``."""
    return permission in ROLE_PERMISSIONS.get(role_of(user), frozenset())


def is_staff(user: Any) -> bool:
    """Agents and admins: the support team that answers tickets and edits official content."""
    return can(user, "tickets.work")


def role_is_staff(role: str) -> bool:
    """:func:`is_staff` for a role already known (no user row at hand)."""
    return "tickets.work" in ROLE_PERMISSIONS.get(role, frozenset())


def is_moderator(user: Any) -> bool:
    return can(user, "forum.moderate")


def is_self(user: Any, user_id: int | None) -> bool:
    """Whether ``user`` is the signed-in person with id ``user_id``."""
    return role_of(user) != "anonymous" and user_id is not None and user.id == user_id


def require(permission: str) -> Callable:
    """View decorator: sign-in page for anonymous visitors, 403 for everyone else lacking it."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if can(current_user, permission):
                return view(*args, **kwargs)
            if role_of(current_user) == "anonymous" and not request.path.startswith("/api/"):
                return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
            abort(403)

        return wrapped

    return decorator


# --- Forum: object rules (posts and threads are duck-typed; accounts never imports the forum) ---


def can_edit_forum_post(user: Any, post: Any) -> bool:
    """Authors edit their own (not deleted or rejected) posts; moderators edit any."""
    if can(user, "forum.moderate"):
        return True
    return (
        can(user, "forum.post")
        and is_self(user, post.author_id)
        and post.status not in {"deleted", "rejected"}
    )


def can_delete_forum_post(user: Any, post: Any) -> bool:
    """The same people who may edit a post may (soft-)delete it."""
    return can_edit_forum_post(user, post)


def can_accept_forum_answer(user: Any, thread: Any) -> bool:
    """The asker accepts an answer on their own thread; moderators on any thread."""
    if can(user, "forum.moderate"):
        return True
    return can(user, "forum.post") and is_self(user, thread.author_id)


def can_escalate_forum_thread(user: Any, thread: Any) -> bool:
    """The asker, or anyone who may escalate threads (moderators, agents)."""
    return can(user, "tickets.escalate_thread") or (
        can(user, "forum.post") and is_self(user, thread.author_id)
    )


# --- Wiki (app/wiki) ------------------------------------------------------------------------
# Page-level rules refining wiki.edit: protection raises the bar, deleted pages are for
# moderators, hidden and pending revisions are shown to moderators (and pending to the author).

_WIKI_EDIT_BY_PROTECTION = {
    "none": "wiki.edit",
    "semi": "wiki.edit_semi_protected",
    "full": "wiki.edit_protected",
}


def can_edit_wiki_page(user: Any, page: Any | None) -> bool:
    """Whether ``user`` may edit ``page`` (``None``: create a new page)."""
    if page is None:
        return can(user, "wiki.edit")
    if page.is_deleted:
        return False
    # An unknown protection value denies, like every unknown permission.
    return can(user, _WIKI_EDIT_BY_PROTECTION.get(page.protection, "wiki.moderate-only"))


def can_delete_wiki_page(user: Any, page: Any) -> bool:
    """Moderators; contributors too for pages that aren't fully protected."""
    if can(user, "wiki.moderate"):
        return True
    return page.protection != "full" and can(user, "wiki.edit_semi_protected")


def can_read_wiki_page(user: Any, page: Any) -> bool:
    """Public pages for everyone; deleted or not-yet-approved pages for moderators (and a
    pending page for the author who created it)."""
    if can(user, "wiki.moderate"):
        return True
    if not page.is_deleted and page.current_revision_id is not None:
        return True
    return (
        not page.is_deleted
        and page.current_revision_id is None
        and is_self(user, page.created_by_id)
    )


def can_see_revision(user: Any, revision: Any) -> bool:
    """The content of a revision: hidden ones for moderators, pending ones for their author."""
    if can(user, "wiki.moderate"):
        return True
    if revision.is_hidden:
        return False
    if revision.status != "accepted":
        return is_self(user, revision.author_id)
    return True


# --- Tickets (app/tickets) ------------------------------------------------------------------
# Requesters see their own tickets only (and never internal notes); support staff see all.


def can_see_internal_notes(user: Any) -> bool:
    """Internal notes and the full ticket history are for support staff only."""
    return can(user, "tickets.work")


def can_view_ticket(user: Any, ticket: Any) -> bool:
    """The ticket's requester, or support staff."""
    if ticket is None:
        return False
    return can(user, "tickets.work") or (
        can(user, "tickets.submit") and is_self(user, ticket.requester_id)
    )


# --- Knowledge base (app/kb) ----------------------------------------------------------------
# Public articles are for everyone. Internal articles are for the support team (kb.internal);
# one that names an audience (roles, e.g. Tier 3 for its runbooks) only for those roles, and
# for admins (kb.internal_all), who manage every space. Everybody else gets a 404, never a 403,
# so the existence of an internal article is not revealed. app/kb/visibility.py is the same
# rule as a query filter; :func:`kb_article_access` explains it per role.


def _kb_audience(article: Any) -> list[str]:
    return [role for role in (article.audience or "").split(",") if role]


def kb_read_reason(role: str, article: Any) -> tuple[bool, str]:
    """Whether ``role`` may read ``article``, and the rule that decides it (in words)."""
    granted = ROLE_PERMISSIONS.get(role, frozenset())
    if article.visibility == "public":
        if "kb.read" in granted:
            return True, "Public article: every role holds kb.read."
        return False, "Public article, but this role lacks kb.read."
    if article.visibility != "internal":
        return False, f"Unknown visibility {article.visibility!r}: denied."
    if "kb.internal" not in granted:
        return False, "Internal article: only roles with kb.internal (support staff) see it."
    audience = _kb_audience(article)
    if not audience:
        return True, "Internal article for all support staff: this role holds kb.internal."
    if role in audience:
        return True, f"Internal article restricted to {', '.join(audience)}: this role is listed."
    if "kb.internal_all" in granted:
        return True, "Restricted internal article: this role holds kb.internal_all (admins)."
    return False, f"Internal article restricted to {', '.join(audience)}: this role isn't listed."


def kb_article_access(role: str, article: Any) -> dict:
    """Effective permissions of ``role`` on ``article``: ``see``, ``edit`` and ``why``."""
    see, why = kb_read_reason(role, article)
    edit = see and "kb.edit" in ROLE_PERMISSIONS.get(role, frozenset())
    if see:
        why += " Edits with kb.edit." if edit else " No kb.edit, so read only."
    return {"role": role, "see": see, "edit": edit, "why": why}


def can_read_kb_article(user: Any, article: Any) -> bool:
    """Whether ``user`` may see ``article`` anywhere (page, list, history, suggestion)."""
    return article is not None and kb_read_reason(role_of(user), article)[0]


def can_edit_kb_article(user: Any, article: Any) -> bool:
    return can(user, "kb.edit") and can_read_kb_article(user, article)


# --- Team (app/team): training, weekly and monthly reviews ------------------------------------


def can_see_training_of(user: Any, user_id: int) -> bool:
    """Agents see their own training progress; team leads (admins) everyone's."""
    return can(user, "team.lead") or (can(user, "team.train") and is_self(user, user_id))


# --- Channels ---------------------------------------------------------------------------


def can_download_original(user: Any, record: Any) -> bool:
    """The original of a received message (an ``.eml``): agents, for a message that reached a
    ticket; admins, for any (they decide on quarantined ones)."""
    if can(user, "channels.quarantine"):
        return True
    return can(user, "tickets.work") and record.ticket_id is not None


# --- Live chat (app/channels/chat) ----------------------------------------------------------
# A conversation is its person's (signed in as its requester, or holding its secret: a guest)
# and the support team's; nobody else learns that it exists.


def can_join_chat(user: Any, conversation: Any, holds_secret: bool) -> bool:
    """The person of the conversation: the secret their browser keeps, or their own account
    (a guest's conversation belongs to a contact nobody signs in as)."""
    if conversation is None:
        return False
    return holds_secret or (not conversation.guest and is_self(user, conversation.requester_id))


def can_answer_chat(user: Any, conversation: Any) -> bool:
    """Agents answer; only the agent holding an active chat writes to the person in it."""
    if conversation is None or not can(user, "chat.answer"):
        return False
    return conversation.status != "active" or is_self(user, conversation.agent_id)


# --- Privacy requests (app/privacy): export and erasure -----------------------------------


def can_approve_privacy_request(user: Any, request: Any) -> bool:
    """Admins decide agents' requests, never one they asked for themself (four eyes)."""
    return can(user, "privacy.approve") and not is_self(user, request.requested_by_id)


def can_download_privacy_export(user: Any, request: Any) -> bool:
    """Only the signed-in person whose data it is: a forwarded or leaked link opens nothing."""
    return is_self(user, request.subject_id)
