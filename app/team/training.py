"""Training operations: load the paths from ``content/training/``, submit a quiz, start a
monthly module (also from the common-issues report's rising topics), schedule an empathy
workshop and record who attended. Services take the acting user and ``now`` and flush only."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import yaml
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.permissions import can
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.markup import render
from app.team import rules
from app.team.models import (
    QuizAttempt,
    TrainingModule,
    TrainingPath,
    WorkshopAttendance,
    WorkshopSession,
)

ONBOARDING, MONTHLY, EMPATHY = "new-agent-onboarding", "monthly-product-update", "empathy-workshop"
TITLE_MAX = 200
INTRO_MAX = 20_000
KINDS = ("course", "monthly", "workshop")


def _require(user: User, permission: str) -> None:
    if not can(user, permission):
        raise PermissionDenied("Only the support team's leads may do this.")


# --- Loading the paths -------------------------------------------------------------------


def load_paths(content_dir: str | Path, now: datetime) -> list[str]:
    """Create or update the paths of ``<content_dir>/training/*.yaml`` and their course
    modules (matched by position; a module that has attempts keeps its id).

    :returns: what changed, one line each.
    :raises DomainError: a file that can't be read (nothing is saved then).
    """
    changes = []
    for path in sorted(Path(content_dir, "training").glob("*.yaml")):
        try:
            raw = yaml.safe_load(path.read_text("utf-8")) or {}
        except yaml.YAMLError as exc:
            raise DomainError(f"{path.name}: not valid YAML ({exc}).") from None
        if raw.get("key") != path.stem or raw.get("kind") not in KINDS:
            raise DomainError(f"{path.name}: needs 'key: {path.stem}' and a kind in {KINDS}.")
        found = db.session.scalar(select(TrainingPath).where(TrainingPath.key == path.stem))
        if found is None:
            found = TrainingPath(key=path.stem, kind=raw["kind"], title="", created_at=now)
            db.session.add(found)
            changes.append(f"created path {path.stem}")
        found.title = str(raw.get("title") or path.stem)[:TITLE_MAX]
        found.description = str(raw.get("description") or "")
        found.required = bool(raw.get("required"))
        db.session.flush()
        existing = {module.position: module for module in found.modules}
        for position, item in enumerate(raw.get("modules") or [], start=1):
            try:
                quiz = rules.parse_quiz(str(item.get("quiz") or ""))
            except rules.QuizFormatError as exc:
                raise DomainError(f"{path.name}, module {position}: {exc.message}") from None
            module = existing.get(position) or TrainingModule(
                path_id=found.id, position=position, created_at=now
            )
            module.title = str(item.get("title") or f"Module {position}")[:TITLE_MAX]
            module.intro = str(item.get("intro") or "")
            module.intro_html = render(module.intro, user_content=False)
            module.article_slugs = [str(slug) for slug in item.get("articles") or []]
            module.video_url = str(item.get("video") or "")
            module.quiz = quiz
            module.pass_mark = int(item.get("pass_mark") or 80)
            if position not in existing:
                db.session.add(module)
                changes.append(f"added {path.stem} module {position}: {module.title}")
        db.session.flush()
    return changes


def get_path(key: str) -> TrainingPath:
    found = db.session.scalar(select(TrainingPath).where(TrainingPath.key == key))
    if found is None:
        raise NotFound("No such training path.")
    return found


def get_module(module_id: int) -> TrainingModule:
    module = db.session.get(TrainingModule, module_id)
    if module is None:
        raise NotFound("No such training module.")
    return module


# --- Quizzes -----------------------------------------------------------------------------


def submit_quiz(
    user: User, module: TrainingModule, answers: list[int | None], now: datetime
) -> QuizAttempt:
    """Score ``answers`` and keep the attempt (every attempt is kept; a pass completes it).

    :raises DomainError: a question left unanswered (named by its field ``q<n>``).
    """
    _require(user, "team.train")
    for index, answer in enumerate(answers[: len(module.quiz)]):
        if answer is None:
            raise DomainError("Choose an answer.", field=f"q{index}")
    if len(answers) < len(module.quiz):
        raise DomainError("Choose an answer.", field=f"q{len(answers)}")
    score, passed = rules.score_quiz(module.quiz, answers, module.pass_mark)
    attempt = QuizAttempt(
        module_id=module.id,
        user_id=user.id,
        answers=list(answers),
        score=score,
        passed=passed,
        created_at=now,
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


# --- Monthly product update ------------------------------------------------------------------


def start_monthly_module(
    lead: User,
    now: datetime,
    *,
    month: str,
    title: str,
    intro: str,
    article_slugs: list[str],
    quiz_text: str,
    pass_mark: int,
    topics: list[dict] | None = None,
) -> TrainingModule:
    """Add this month's product-update module.

    :param topics: rising topics it was started from, ``[{"topic", "ticket_ids"}]``.
    :raises DomainError: a bad month, title, quiz or pass mark (named by its field).
    """
    _require(lead, "team.lead")
    if rules.parse_month(month or "") is None:
        raise DomainError("Give the month as YYYY-MM, e.g. 2026-12.", field="month")
    title = (title or "").strip()
    if not title or len(title) > TITLE_MAX:
        raise DomainError(f"Give a title of 1 to {TITLE_MAX} characters.", field="title")
    if len(intro or "") > INTRO_MAX:
        raise DomainError(f"Keep the introduction under {INTRO_MAX:,} characters.", field="intro")
    if not 1 <= pass_mark <= 100:
        raise DomainError("The pass mark is a percentage from 1 to 100.", field="pass_mark")
    quiz = rules.parse_quiz(quiz_text)  # QuizFormatError names the quiz field
    path = get_path(MONTHLY)
    position = (
        db.session.scalar(
            select(func.coalesce(func.max(TrainingModule.position), 0)).where(
                TrainingModule.path_id == path.id
            )
        )
        + 1
    )
    module = TrainingModule(
        path_id=path.id,
        position=position,
        title=title,
        intro=intro or "",
        intro_html=render(intro or "", user_content=True),
        month=month,
        article_slugs=list(article_slugs),
        quiz=quiz,
        pass_mark=pass_mark,
        topics=list(topics or []),
        created_by_id=lead.id,
        created_at=now,
    )
    db.session.add(module)
    db.session.flush()
    return module


# --- Empathy workshops -----------------------------------------------------------------------


def schedule_workshop(
    lead: User, now: datetime, *, title: str, starts_at: datetime, materials: str
) -> WorkshopSession:
    """:raises DomainError: an empty or too long title."""
    _require(lead, "team.lead")
    title = (title or "").strip()
    if not title or len(title) > TITLE_MAX:
        raise DomainError(f"Give a title of 1 to {TITLE_MAX} characters.", field="title")
    if len(materials or "") > INTRO_MAX:
        raise DomainError(f"Keep the materials under {INTRO_MAX:,} characters.", field="materials")
    session = WorkshopSession(
        path_id=get_path(EMPATHY).id,
        title=title,
        starts_at=starts_at,
        materials=materials or "",
        materials_html=render(materials or "", user_content=True),
        created_by_id=lead.id,
        created_at=now,
    )
    db.session.add(session)
    db.session.flush()
    return session


def record_attendance(
    lead: User, session: WorkshopSession, user_ids: list[int], now: datetime
) -> int:
    """Mark these agents as attended (idempotent). :returns: how many were new."""
    _require(lead, "team.lead")
    present = {row.user_id for row in session.attendance}
    added = 0
    for user_id in user_ids:
        user = db.session.get(User, user_id)
        if user is None or not can(user, "team.train") or user_id in present:
            continue
        db.session.add(
            WorkshopAttendance(
                session_id=session.id, user_id=user_id, recorded_by_id=lead.id, created_at=now
            )
        )
        present.add(user_id)
        added += 1
    db.session.flush()
    return added
