"""Help Center pages for readers: home, sections, articles, votes and guide steps."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from app.accounts.permissions import can_read_kb_article, role_of
from app.errors import DomainError
from app.extensions import limiter
from app.fragments import rendered_part, shared_fragment
from app.kb import feedback, rules, services
from app.kb.forms import GuideStepForm, VoteForm
from app.kb.media.queries import player_state
from app.models import utcnow
from app.outbox import commit
from app.pagecache import also_on_cached_views, cacheable
from app.request_args import db_int, page_arg

bp = Blueprint("kb", __name__)

#: Session key of the anonymous visitor's random id (for one vote per browser).
VISITOR_KEY = "kb_visitor"


#: The page-cache hook that counts a view of an article served from the cache.
VIEW_HOOK = "kb.view"


def count_view(article_id: int) -> None:
    feedback.record_view(article_id, utcnow().date(), request.headers.get("User-Agent"))


def article_or_404(slug: str):
    article = services.get_article(slug)
    # 404, not 403, for an internal article outside the reader's audience: its existence is
    # as private as its text.
    if article is None or not can_read_kb_article(current_user, article):
        abort(404)
    return article


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


@bp.route("/")
@cacheable
def home():
    today = utcnow().date()
    counts = services.section_counts()
    return render_template(
        "kb/home.html",
        sections=[
            (slug, title, blurb, counts.get(slug, 0)) for slug, title, blurb in rules.SECTIONS
        ],
        popular=services.popular_articles(
            today,
            featured=current_app.config["KB_FEATURED_ARTICLES"],
            min_views=current_app.config["KB_POPULAR_MIN_VIEWS"],
        ),
        recent=services.recent_articles(),
    )


@bp.route("/sections/<slug>")
@cacheable
def section(slug: str):
    if slug not in rules.SECTION_TITLES:
        abort(404)
    page = services.section_articles(slug, page=page_arg())
    return render_template(
        "kb/section.html",
        section_slug=slug,
        section_title=rules.section_title(slug),
        section_blurb=next(blurb for key, _title, blurb in rules.SECTIONS if key == slug),
        page=page,
    )


def _guide_state(article) -> dict:
    """Where the reader is in a troubleshooting guide, from the query string (no DB, no 500)."""
    total = feedback.step_count(article)
    solved = request.args.get("solved", type=db_int)
    stuck = request.args.get("stuck", type=db_int)
    step = request.args.get("step", 1, type=db_int)
    return {
        "total": total,
        "step": min(max(step or 1, 1), max(total, 1)),
        "solved": solved if solved and 1 <= solved <= total else None,
        "stuck": bool(stuck),
        "done": bool((solved and 1 <= solved <= total) or stuck),
    }


@dataclass(frozen=True)
class ArticleFacts:
    """What an article page needs of its article around the shared parts (kept with them)."""

    id: int
    slug: str
    title: str
    summary: str
    type: str
    type_label: str
    is_archived: bool
    is_troubleshooting: bool
    helpful_yes: int
    helpful_no: int

    @classmethod
    def of(cls, article) -> ArticleFacts:
        return cls(**{name: getattr(article, name) for name in cls.__dataclass_fields__})


def _shared_parts(article) -> dict:
    """The article page's parts that depend only on the article, the reader's role and the
    query string (a guide's step): its text, staff links, related articles and a fresh vote
    form (with the tally)."""
    context = {
        "article": article,
        "related": services.related_articles(article, current_user),
        "show_toc": article.type == "guide"
        and not article.is_troubleshooting
        and len(article.structure.get("toc", [])) >= rules.TOC_MIN_HEADINGS,
    }
    if article.is_troubleshooting:
        context["guide"] = _guide_state(article)
        context["guide"]["topic"] = rules.guide_topic([item.section for item in context["related"]])
    if article.type == "video":
        context["video_state"] = player_state(article)
    return {
        "facts": ArticleFacts.of(article),
        "main": rendered_part("kb/_article_main.html", **context),
        "related": rendered_part("kb/_article_related.html", **context),
        "vote_form": rendered_part(
            "kb/_vote_form.html", article=article, vote_form=VoteForm(formdata=None)
        ),
    }


def _article_parts_or_404(slug: str) -> dict:
    """The shared parts of the article page, rendered once per role and content version for
    the plain page; a guide's steps and outcome (query string) hold the reader's own rating,
    so those are rendered for each request."""

    def render() -> dict | None:
        article = services.get_article(slug)
        return _shared_parts(article) if can_read_kb_article(current_user, article) else None

    if request.args:
        parts = render()
    else:
        parts = shared_fragment("kb.article", (slug, role_of(current_user)), render)
    if parts is None:
        abort(404)  # also for an internal article outside the reader's audience (as above)
    return parts


def _render_article(parts: dict, vote_form: VoteForm | None = None, status: int = 200):
    """The page around the shared parts; ``vote_form``: a posted form to show with its errors
    (else the shared fresh one)."""
    facts = parts["facts"]
    vote = feedback.find_vote(facts, user_id=_user_id(), visitor_id=session.get(VISITOR_KEY))
    return render_template(
        "kb/article.html",
        article=facts,
        shared=parts,
        vote=vote,
        vote_form=vote_form,
    ), status


@bp.route("/articles/<slug>")
@cacheable
def article(slug: str):
    parts = _article_parts_or_404(slug)
    facts = parts["facts"]
    # Only the first visit counts: moving through a guide's steps reloads the same page.
    if not facts.is_archived and not ({"step", "solved", "stuck"} & request.args.keys()):
        count_view(facts.id)
        # A cached copy of this page counts its views too.
        also_on_cached_views(VIEW_HOOK, facts.id)
    return _render_article(parts)


@bp.route("/articles/<slug>/vote", methods=["POST"])
# Caps what changing the user agent on each request could add to the daily anonymous key.
@limiter.limit(lambda: current_app.config["KB_VOTE_LIMIT_PER_IP"], methods=["POST"])
def vote(slug: str):
    article = article_or_404(slug)
    form = VoteForm()
    if form.validate_on_submit() and (form.yes.data or form.no.data):
        if not current_user.is_authenticated:
            session.setdefault(VISITOR_KEY, secrets.token_urlsafe(24))
        try:
            feedback.cast_vote(
                article,
                helpful=bool(form.yes.data),
                reason=form.reason.data or "",
                now=utcnow(),
                user_id=_user_id(),
                visitor_id=session.get(VISITOR_KEY),
                client=(request.remote_addr or "", request.headers.get("User-Agent", "")),
            )
        except DomainError as error:
            target = getattr(form, error.field, None) if error.field else None
            (target.errors if target is not None else form.form_errors).append(error.message)
        else:
            commit()
            flash("Thanks for your feedback. You can change your answer at any time.", "success")
            return redirect(url_for("kb.article", slug=slug, _anchor="feedback"))
    elif not form.errors:
        form.form_errors.append("Choose 'Yes, it helped' or 'No, it didn't'.")
    return _render_article(_shared_parts(article), vote_form=form, status=422)


#: Session key of the guide outcomes this browser recorded (read by the feedback feature).
GUIDE_OUTCOMES_KEY = "guide_outcomes"


@bp.route("/articles/<slug>/guide", methods=["POST"])
def guide_answer(slug: str):
    """One answer to "Did this solve it?": yes records a success, no moves on (or, after the
    last step, records "not solved" and offers the forum and a support request)."""
    article = article_or_404(slug)
    form = GuideStepForm()
    total = feedback.step_count(article)
    answered = form.validate_on_submit() and (form.yes.data or form.no.data)
    if not article.is_troubleshooting or not answered or form.step.data > total:
        abort(400)
    step = form.step.data
    if form.no.data and step < total:
        return redirect(url_for("kb.article", slug=slug, step=step + 1, _anchor=f"step-{step + 1}"))
    try:
        outcome = feedback.record_guide_outcome(
            article, solved=bool(form.yes.data), steps_tried=step, now=utcnow(), user_id=_user_id()
        )
    except DomainError:
        abort(400)
    commit()
    # This browser's latest outcomes: the optional rating question after a guide (feedback)
    # may be answered for these only. It also keeps the personal outcome page out of the cache.
    session[GUIDE_OUTCOMES_KEY] = [*session.get(GUIDE_OUTCOMES_KEY, [])[-9:], outcome.id]
    if form.yes.data:
        return redirect(url_for("kb.article", slug=slug, solved=step, _anchor="guide-outcome"))
    return redirect(url_for("kb.article", slug=slug, stuck=step, _anchor="guide-outcome"))
