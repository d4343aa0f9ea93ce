"""The work one chat line costs: SQL statements per post and per wake are pinned, so a change
that adds queries to the chat's hot path fails here (bench/README.md, "Chat", has the figures
under load). A line that changes no clock recomputes no SLA."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import event

from app.extensions import db
from tests.channels.test_chat_views import ALL_DAY, go_online, start_guest

#: What a person's second line costs: the conversation; the client id (a resend answers with
#: the stored line); the requester and the ticket; the ticket message, the ticket's
#: ``updated_at``, its event; the sequence number and the chat line.
PERSON_POST = 9
#: An agent's line adds the agent's session with their account (one joined query) and their
#: presence, and the reply clock stops (``awaiting_since``, deadlines); the requester is read
#: for the notice.
AGENT_POST = 12
#: A waiting person's request after the line that wakes it: the conversation and the new
#: lines, then the state: the ticket (its reference) and the agent (their first name), and
#: the new lines' files (one query for all of them).
WAKE = 5


@pytest.fixture
def app_config():
    return {"SUPPORT_TIER1_HOURS": ALL_DAY, "CHAT_WAIT_SECONDS": 5}


class Statements:
    """Every SQL statement sent while active, with the thread that sent it."""

    def __init__(self, app) -> None:
        with app.app_context():
            self.engine = db.engine
        self.seen: list[tuple[int, str]] = []

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, *args) -> None:
        self.seen.append((threading.get_ident(), " ".join(statement.split())))

    def of(self, thread: int) -> list[str]:
        return [statement for ident, statement in self.seen if ident == thread]


@pytest.fixture
def chat(app, client, factory):
    agent = factory.user(role="agent_t1", display_name="Ada Lovelace")
    console = go_online(app, agent)
    cid = start_guest(client)["conversation"]["id"]
    assert console.post(f"/chat/console/c/{cid}/accept").status_code == 200
    # The steady state: the agent has answered once, the person has written since.
    said = console.post(f"/chat/console/c/{cid}/messages", json={"client_id": "a0", "body": "Hi"})
    assert said.status_code == 201
    first = client.post(f"/chat/c/{cid}/messages", json={"client_id": "w1", "body": "hi"})
    assert first.status_code == 201
    return cid, console


def test_a_person_line_and_an_agent_line_cost_a_fixed_number_of_statements(app, client, chat):
    cid, console = chat
    me = threading.get_ident()
    with Statements(app) as person:
        answer = client.post(f"/chat/c/{cid}/messages", json={"client_id": "p1", "body": "**2**"})
    assert answer.status_code == 201
    assert len(person.of(me)) == PERSON_POST, person.of(me)
    # No SLA recompute for a second line while the reply clock already runs.
    assert not [s for s in person.of(me) if s.startswith("UPDATE ticket ") and "timer_version" in s]
    with Statements(app) as agent:
        answer = console.post(f"/chat/console/c/{cid}/messages",
                              json={"client_id": "a1", "body": "ok"})  # fmt: skip
    assert answer.status_code == 201
    assert len(agent.of(me)) == AGENT_POST, "\n".join(s[:90] for s in agent.of(me))
    # The agent's line stopped the reply clock: that one recomputes the deadlines.
    assert [s for s in agent.of(me) if s.startswith("UPDATE ticket ") and "timer_version" in s]


def test_a_waiting_request_reads_the_new_line_once_when_woken(app, client, chat):
    cid, console = chat
    after = client.get(f"/chat/c/{cid}/events?wait=0").get_json()["conversation"]["last_seq"]
    answers, waiter = {}, {}

    def wait() -> None:
        waiter["thread"] = threading.get_ident()
        answers["events"] = client.get(f"/chat/c/{cid}/events?after={after}").get_json()

    broker = app.extensions["chat_broker"]
    with Statements(app) as statements:
        thread = threading.Thread(target=wait)
        thread.start()
        deadline = time.monotonic() + 10
        while f"conversation:{cid}" not in broker._subscribers and time.monotonic() < deadline:
            time.sleep(0.01)
        before = len(statements.of(waiter["thread"]))
        answer = console.post(f"/chat/console/c/{cid}/messages",
                              json={"client_id": "a2", "body": "wake"})  # fmt: skip
        thread.join(10)
    assert answer.status_code == 201
    assert [line["client_id"] for line in answers["events"]["lines"]] == ["a2"]
    woken = statements.of(waiter["thread"])[before:]
    assert len(woken) == WAKE, woken
