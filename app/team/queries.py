"""Read-only look-ups of the team's pages: training progress (one agent's, and the whole
team's for leads), the weekly figures' ticket rows and the monthly ranking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from app.accounts.models import User
from app.extensions import db
from app.kb.models import Article
from app.kb.visibility import visible_articles_filter
from app.team import rules
from app.team.models import QuizAttempt, TrainingModule, TrainingPath, WorkshopSession
from app.tickets.models import Ticket

STAFF_ROLES = ("agent_t1", "agent_t2", "agent_t3", "admin")


@dataclass
class ModuleStatus:
    module: TrainingModule
    passed: bool
    best_score: int | None
    attempts: int


def passed_module_ids(user_id: int, module_ids: list[int] | None = None) -> set[int]:
    query = select(QuizAttempt.module_id).where(
        QuizAttempt.user_id == user_id, QuizAttempt.passed.is_(True)
    )
    if module_ids is not None:
        query = query.where(QuizAttempt.module_id.in_(module_ids))
    return set(db.session.scalars(query))


def path_progress(user_id: int, path: TrainingPath) -> list[ModuleStatus]:
    """Each module of ``path`` with whether ``user_id`` passed it, the best score and tries."""
    rows = db.session.execute(
        select(
            QuizAttempt.module_id,
            func.max(QuizAttempt.score),
            func.count(),
            func.max(case((QuizAttempt.passed.is_(True), 1), else_=0)),
        )
        .join(TrainingModule, TrainingModule.id == QuizAttempt.module_id)
        .where(QuizAttempt.user_id == user_id, TrainingModule.path_id == path.id)
        .group_by(QuizAttempt.module_id)
    ).all()
    by_module = {module_id: (best, count, bool(passed)) for module_id, best, count, passed in rows}
    return [
        ModuleStatus(
            module=module,
            passed=by_module.get(module.id, (None, 0, False))[2],
            best_score=by_module.get(module.id, (None, 0, False))[0],
            attempts=by_module.get(module.id, (None, 0, False))[1],
        )
        for module in path.modules
    ]


def paths() -> list[TrainingPath]:
    return list(
        db.session.scalars(
            select(TrainingPath).order_by(TrainingPath.required.desc(), TrainingPath.title)
        )
    )


def staff() -> list[User]:
    """The support team: everyone who trains and meets (agents of each tier and admins)."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_(STAFF_ROLES), User.is_suspended.is_(False))
            .order_by(User.display_name, User.id)
        )
    )


def team_progress(path: TrainingPath) -> list[tuple[User, int, int]]:
    """Every team member with the number of ``path``'s modules passed and the total."""
    module_ids = [module.id for module in path.modules]
    passed = db.session.execute(
        select(QuizAttempt.user_id, func.count(func.distinct(QuizAttempt.module_id)))
        .where(QuizAttempt.module_id.in_(module_ids), QuizAttempt.passed.is_(True))
        .group_by(QuizAttempt.user_id)
    ).all()
    done = dict(passed)
    return [(user, done.get(user.id, 0), len(module_ids)) for user in staff()]


def module_completions(module: TrainingModule) -> list[tuple[User, datetime]]:
    """Who passed ``module`` and when they first did."""
    rows = db.session.execute(
        select(User, func.min(QuizAttempt.created_at))
        .join(QuizAttempt, QuizAttempt.user_id == User.id)
        .where(QuizAttempt.module_id == module.id, QuizAttempt.passed.is_(True))
        .group_by(User.id)
        .order_by(func.min(QuizAttempt.created_at))
    ).all()
    return [(user, when) for user, when in rows]


def has_completed(user_id: int, path_key: str) -> bool:
    """Whether the user passed every module of the path (True for a path without modules)."""
    path = db.session.scalar(select(TrainingPath).where(TrainingPath.key == path_key))
    if path is None:
        return True
    module_ids = [module.id for module in path.modules]
    return passed_module_ids(user_id, module_ids) >= set(module_ids)


def readable_articles(user, slugs: list[str]) -> list[Article]:
    """The module's articles ``user`` may read, in the module's order (others are left out,
    never named)."""
    if not slugs:
        return []
    found = db.session.scalars(
        select(Article).where(Article.slug.in_(slugs), visible_articles_filter(user))
    ).all()
    by_slug = {article.slug: article for article in found}
    return [by_slug[slug] for slug in slugs if slug in by_slug]


def workshops(path_id: int) -> list[WorkshopSession]:
    return list(
        db.session.scalars(
            select(WorkshopSession)
            .where(WorkshopSession.path_id == path_id)
            .order_by(WorkshopSession.starts_at.desc())
        )
    )


def ticket_rows(start: datetime, end: datetime) -> list[rules.TicketRow]:
    """The tickets the weekly figures of ``[start, end)`` need: created before the end and
    not solved before the start (merged duplicates left out)."""
    rows = db.session.execute(
        select(
            Ticket.created_at,
            Ticket.first_responded_at,
            Ticket.first_response_due_at,
            Ticket.solved_at,
            Ticket.sla_breached_at,
            Ticket.status,
        ).where(
            Ticket.created_at < end,
            Ticket.merged_into_id.is_(None),
            (Ticket.solved_at.is_(None)) | (Ticket.solved_at >= start),
        )
    ).all()
    return [rules.TicketRow(*row) for row in rows]
