"""Community forum pages for reading: the front page, categories, threads, profiles, and the
one-click unsubscribe link from follow e-mails. Posting and moderation live beside this file."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.models import User
from app.accounts.permissions import (
    can,
    can_accept_forum_answer,
    can_delete_forum_post,
    can_edit_forum_post,
    can_escalate_forum_thread,
)
from app.extensions import csrf, db
from app.forum import follows, notifications, queries, services, trust
from app.forum.forms import ConfirmForm, MemberModerationForm, ReplyForm
from app.forum.models import MERGED, ForumCategory
from app.forum.visibility import can_see_thread
from app.models import utcnow
from app.outbox import commit
from app.pagecache import cacheable
from app.request_args import page_arg

bp = Blueprint("forum", __name__, url_prefix="/community")


def _sort() -> str:
    sort = request.args.get("sort", "latest")
    return sort if sort in queries.SORTS else "latest"


def _thread_page(query):
    page = db.paginate(
        query,
        page=page_arg(),
        per_page=current_app.config["FORUM_THREADS_PER_PAGE"],
        error_out=False,
    )
    counts = queries.reply_counts(current_user, [thread.id for thread in page.items])
    return page, counts


@bp.context_processor
def forum_helpers():
    return {
        "can_edit_post": can_edit_forum_post,
        "can_delete_post": can_delete_forum_post,
        "can_accept": can_accept_forum_answer,
        "can_escalate": can_escalate_forum_thread,
        "sorts": queries.SORTS,
    }


@bp.route("/")
@cacheable
def index():
    sort = _sort()
    page, counts = _thread_page(queries.thread_list_query(current_user, sort=sort))
    return render_template(
        "forum/index.html",
        categories=services.categories(),
        category_counts=queries.category_thread_counts(current_user),
        page=page,
        counts=counts,
        sort=sort,
        unread=notifications.unread_count(current_user) if can(current_user, "forum.post") else 0,
    )


@bp.route("/c/<slug>")
@cacheable
def category(slug: str):
    found = services.category_by_slug(slug) or abort(404)
    sort = _sort()
    page, counts = _thread_page(queries.thread_list_query(current_user, category=found, sort=sort))
    return render_template(
        "forum/category.html",
        category=found,
        page=page,
        counts=counts,
        sort=sort,
        following=follows.is_following(current_user, category_id=found.id),
        form=ConfirmForm(),
    )


@bp.route("/t/<int:thread_id>")
@cacheable
def thread(thread_id: int):
    found = services.get_thread(thread_id)
    if found is not None and found.status == MERGED and found.merged_into_id:
        target = services.visible_thread_for(current_user, found.merged_into_id)
        if target is not None:
            return redirect(url_for("forum.thread", thread_id=target.id), 301)
    found = services.visible_thread_for(current_user, thread_id) or abort(404)
    page = db.paginate(
        queries.thread_posts_query(current_user, found),
        page=page_arg(),
        per_page=current_app.config["FORUM_POSTS_PER_PAGE"],
        error_out=False,
    )
    accepted = (
        services.visible_post_for(current_user, found.accepted_post_id)
        if found.accepted_post_id
        else None
    )
    reply_form = ReplyForm()
    html = render_template(
        "forum/thread.html",
        thread=found,
        page=page,
        accepted=accepted,
        liked=queries.liked_post_ids(current_user, [post.id for post in page.items]),
        following=follows.is_following(current_user, thread_id=found.id),
        form=reply_form,
        button=ConfirmForm(),
    )
    if current_user.is_authenticated:
        # After rendering: a commit expires every loaded post, and the page would then load
        # each one again (one statement per post).
        trust.record_read(current_user, found.id, [post.id for post in page.items])
        commit()
    return html


@bp.route("/users/<int:user_id>")
def profile(user_id: int):
    return render_profile(db.session.get(User, user_id) or abort(404))


def render_profile(person: User, member_form: MemberModerationForm | None = None) -> str:
    """A member's public profile; a moderator also gets the member moderation form, as posted
    when ``moderation_views.moderate_user`` refused it (else with the defaults)."""
    now = utcnow()
    moderating = can(current_user, "forum.moderate")
    if moderating and member_form is None:
        member_form = MemberModerationForm(formdata=None)
        member_form.silence_hours.data = current_app.config["FORUM_SILENCE_HOURS"]
    page = db.paginate(
        queries.user_posts_query(current_user, person),
        page=page_arg(),
        per_page=current_app.config["FORUM_POSTS_PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "forum/profile.html",
        person=person,
        counts=queries.profile_counts(current_user, person),
        progress=trust.progress_for(person, now),
        is_me=current_user.is_authenticated and current_user.id == person.id,
        page=page,
        member_form=member_form,
        silenced_until=trust.silenced_until(person, now) if moderating else None,
    )


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the authority, and mail clients' one-click POST has no form
def unsubscribe(token: str):
    subscription = follows.subscription_for_token(token)
    if subscription is None:
        return render_template("forum/unsubscribe.html", done=False, invalid=True), 410
    if request.method == "POST":
        follows.unsubscribe(subscription)
        commit()
        return render_template("forum/unsubscribe.html", done=True, invalid=False)
    if subscription.thread_id:
        thread = services.get_thread(subscription.thread_id)
        # Whoever holds the link sees what the follower may see: a since-hidden thread's title
        # is not shown to anyone the e-mail was forwarded to.
        visible = can_see_thread(subscription.user, thread)
        what = f"the thread “{thread.title}”" if visible else "a thread that is no longer public"
    else:
        what = f"the category {db.session.get(ForumCategory, subscription.category_id).name}"
    return render_template(
        "forum/unsubscribe.html", done=False, invalid=False, what=what, token=token
    )
