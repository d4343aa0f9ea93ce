"""Team fixtures: the training paths loaded by the real ``flask team load-training`` from the
repository's ``content/training/``, and a helper that reads a module's quiz back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db


@pytest.fixture
def training(app, runner):
    result = runner.invoke(args=["team", "load-training"])
    assert result.exit_code == 0, result.output
    return Training(app)


class Training:
    def __init__(self, app):
        self.app = app

    def modules(self, key: str) -> list[dict]:
        """The path's modules as ``{id, title, right}``: ``right`` are the right answers."""
        from app.team.models import TrainingModule, TrainingPath

        with self.app.app_context():
            rows = db.session.scalars(
                select(TrainingModule)
                .join(TrainingPath)
                .where(TrainingPath.key == key)
                .order_by(TrainingModule.position)
            )
            return [
                {"id": m.id, "title": m.title, "right": [q["answer"] for q in m.quiz]} for m in rows
            ]


def answers(right: list[int], wrong: bool = False) -> dict:
    """Form data answering a quiz: all right, or (``wrong``) the first answer wrong."""
    data = {f"q{index}": str(answer) for index, answer in enumerate(right)}
    if wrong:
        data["q0"] = str((right[0] + 1) % 2)
    return data
