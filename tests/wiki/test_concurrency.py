"""Several saves of one page at the same moment, each in its own thread, request, session and
database connection: every acknowledged save is in the history, and the history is one chain."""

from __future__ import annotations

import threading
from itertools import pairwise

import pytest
from sqlalchemy import select

from app.extensions import db
from app.wiki.models import WikiPage, WikiRevision

WRITERS = 6
BODY = "".join(f"Paragraph {n}: original.\n\n" for n in range(WRITERS))


def _clients(app, factory, wiki, count):
    clients = []
    for n in range(count):
        user = factory.user(display_name=f"Writer {n}")
        client = app.test_client()
        client.post(
            "/account/login", data={"email": user.email, "password": "correct horse battery"}
        )
        clients.append(client)
    wiki.create(body=BODY, client=clients[0])
    return clients


def _save_all_at_once(wiki, clients, bodies):
    forms = [wiki.edit_form("basil-care", client=c) for c in clients]
    assert len({f["base_revision_id"] for f in forms}) == 1  # all start from the same revision
    barrier = threading.Barrier(len(clients))
    results: list = [None] * len(clients)

    def run(n):
        barrier.wait()
        try:
            response = clients[n].post(
                "/wiki/basil-care/edit", data={**forms[n], "body": bodies[n], "summary": f"w{n}"}
            )
            results[n] = response.status_code
        except Exception as exc:  # recorded, so the assertion shows it
            results[n] = repr(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return forms, results


def _assert_single_chain(app):
    with app.app_context():
        page = db.session.scalar(select(WikiPage))
        chain = db.session.scalars(
            select(WikiRevision)
            .where(WikiRevision.page_id == page.id, WikiRevision.status == "accepted")
            .order_by(WikiRevision.number)
        ).all()
        assert [r.number for r in chain] == list(range(1, len(chain) + 1))
        assert chain[0].parent_id is None
        for previous, revision in pairwise(chain):
            assert revision.parent_id == previous.id
        assert page.current_revision_id == chain[-1].id
        assert page.version == len(chain)
        return {r.edit_token: r for r in chain}, chain[-1].body


@pytest.mark.slow
def test_concurrent_edits_of_different_paragraphs_all_land(app, factory, wiki):
    clients = _clients(app, factory, wiki, WRITERS)
    bodies = [BODY.replace(f"Paragraph {n}: original.", f"Paragraph {n}: edited by {n}.")
              for n in range(WRITERS)]  # fmt: skip
    forms, results = _save_all_at_once(wiki, clients, bodies)
    assert results == [302] * WRITERS, results
    by_token, final = _assert_single_chain(app)
    for n, form in enumerate(forms):
        assert form["edit_token"] in by_token, f"acknowledged save {n} is missing"
        assert f"Paragraph {n}: edited by {n}." in final
    assert len(by_token) == WRITERS + 1


@pytest.mark.slow
def test_concurrent_edits_of_one_line_one_wins_rest_conflict(app, factory, wiki):
    clients = _clients(app, factory, wiki, WRITERS)
    bodies = [BODY.replace("Paragraph 0: original.", f"Paragraph 0 by writer {n}.")
              for n in range(WRITERS)]  # fmt: skip
    forms, results = _save_all_at_once(wiki, clients, bodies)
    assert sorted(results) == [302] + [409] * (WRITERS - 1), results
    by_token, final = _assert_single_chain(app)
    winner = results.index(302)
    assert forms[winner]["edit_token"] in by_token
    assert f"Paragraph 0 by writer {winner}." in final
    assert len(by_token) == 2
