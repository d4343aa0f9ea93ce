"""Members' notifications and @mentions: a reply to your thread, a mention (also e-mailed),
a like, your reply accepted as the answer. Recorded when the post becomes public (or the
like or acceptance happens); read on the notifications page."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from sqlalchemy import func, select, update

from app.accounts.models import User
from app.extensions import db
from app.forum import rules
from app.forum.models import ForumNotification, ForumPost
from app.forum.visibility import can_see_post
from app.forum.writes import insert_once
from app.mail import OutgoingMail, site_link
from app.markup import plain_text, render
from app.outbox import record_mail

#: What each kind says, with the actor's name and the thread's title.
SENTENCES = {
    "reply": "{actor} replied to \u201c{title}\u201d",
    "mention": "{actor} mentioned you in \u201c{title}\u201d",
    "like": "{actor} liked your {what} in \u201c{title}\u201d",
    "accepted": "{actor} accepted your reply as the answer to \u201c{title}\u201d",
}


def sentence(note: ForumNotification) -> str:
    post = note.post
    what = "post" if post.is_opening else "reply"
    return SENTENCES[note.kind].format(
        actor=note.actor.display_name, title=post.thread.title, what=what
    )


def mentioned(text: str) -> list[tuple[int, str, User]]:
    """The members ``text`` mentions: offset of the ``@``, the name as written, the member.
    A name two members share mentions nobody (we can't tell whom)."""
    candidates = rules.mention_candidates(text)
    names = {name.lower() for _, options in candidates for name in options}
    if not names:
        return []
    by_name: dict[str, list[User]] = {}
    for user in db.session.scalars(
        select(User).where(func.lower(User.display_name).in_(names), User.is_suspended.is_(False))
    ):
        by_name.setdefault(user.display_name.lower(), []).append(user)
    found = []
    for offset, options in candidates:
        for name in options:
            users = by_name.get(name.lower(), [])
            if len(users) == 1:
                found.append((offset, name, users[0]))
                break
    return found


def _profile_path(user_id: int) -> str:
    try:
        return url_for("forum.profile", user_id=user_id)
    except RuntimeError:  # no request (CLI): the blueprint's address
        return f"/community/users/{user_id}"


def render_post(body: str) -> str:
    """A post's HTML: its Markdown with each mention linked to the member's profile, through
    the one sanitiser."""
    linked, end = [], 0
    for offset, name, user in mentioned(body):
        linked += [body[end:offset], f"[@{name}]({_profile_path(user.id)})"]
        end = offset + 1 + len(name)
    return render("".join(linked) + body[end:])


def _notify(user_id: int, kind: str, post: ForumPost, actor_id: int, now: datetime) -> bool:
    if user_id == actor_id:
        return False
    values = {"user_id": user_id, "kind": kind, "post_id": post.id, "actor_id": actor_id,
              "created_at": now}  # fmt: skip
    return insert_once(ForumNotification, values, ["user_id", "kind", "post_id", "actor_id"])


def on_publish(post: ForumPost, now: datetime) -> None:
    """A post became public: its thread's author hears of the reply; mentioned members hear
    of the mention (and get an e-mail) if they can see it."""
    thread = post.thread
    if not post.is_opening:
        _notify(thread.author_id, "reply", post, post.author_id, now)
    for _, _, user in mentioned(post.body):
        if can_see_post(user, post) and _notify(user.id, "mention", post, post.author_id, now):
            _mail_mention(user, post, now)


def _mail_mention(user: User, post: ForumPost, now: datetime) -> None:
    thread = post.thread
    body = (
        f"Hello {user.display_name},\n\n"
        f"{post.author.display_name} mentioned you in \u201c{thread.title}\u201d:\n\n"
        f"{plain_text(post.body_html)[:600]}\n\n"
        f"Read it: {site_link('forum.thread', thread_id=thread.id, _anchor=f'post-{post.id}')}\n\n"
        f"See all your notifications: {site_link('forum.notifications')}\n"
    )
    subject = f"{post.author.display_name} mentioned you in \u201c{thread.title}\u201d"
    record_mail(OutgoingMail(user.email, subject, body), now)


def on_like(post: ForumPost, actor: User, now: datetime) -> None:
    _notify(post.author_id, "like", post, actor.id, now)


def on_accept(post: ForumPost, actor: User, now: datetime) -> None:
    _notify(post.author_id, "accepted", post, actor.id, now)


def for_member(user: User, page: int):
    """The member's notifications, newest first, of posts they can still see."""
    query = (
        select(ForumNotification)
        .where(ForumNotification.user_id == user.id)
        .order_by(ForumNotification.id.desc())
    )
    return db.paginate(query, page=page, per_page=30, error_out=False)


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count(ForumNotification.id)).where(
            ForumNotification.user_id == user.id, ForumNotification.read_at.is_(None)
        )
    )


def open_notification(user: User, notification_id: int, now: datetime) -> ForumNotification | None:
    """The member's own notification, marked read (``None``: not theirs or gone)."""
    note = db.session.get(ForumNotification, notification_id)
    if note is None or note.user_id != user.id:
        return None
    if note.read_at is None:
        note.read_at = now
        db.session.flush()
    return note


def mark_all_read(user: User, now: datetime) -> None:
    db.session.execute(
        update(ForumNotification)
        .where(ForumNotification.user_id == user.id, ForumNotification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
