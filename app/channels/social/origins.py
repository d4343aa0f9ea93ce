"""The platform of each social ticket, for the agents' queues (registered with
:func:`app.tickets.origins.register_origin`): a badge such as "X, public" and a platform
filter, from the ticket's :class:`SocialConversation`."""

from __future__ import annotations

from sqlalchemy import Select, select

from app.channels.social import rules
from app.channels.social.models import SocialAccount, SocialConversation
from app.extensions import db
from app.tickets.origins import Origin

#: Filter values beyond the platforms: every public (mention, comment) or private (DM) ticket.
VISIBILITY = {"public": "Social media, public", "private": "Social media, private"}


def label(platform: str, public: bool) -> str:
    return f"{rules.PLATFORMS.get(platform, platform)}, {'public' if public else 'private'}"


def labels(ticket_ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(SocialConversation.ticket_id, SocialAccount.platform, SocialConversation.public)
        .join(SocialAccount, SocialAccount.id == SocialConversation.account_id)
        .where(SocialConversation.ticket_id.in_(ticket_ids))
    )
    return {ticket_id: label(platform, public) for ticket_id, platform, public in rows}


def choices() -> dict[str, str]:
    return {**rules.PLATFORMS, **VISIBILITY}


def ticket_ids(value: str) -> Select | None:
    query = select(SocialConversation.ticket_id)
    if value in rules.PLATFORMS:
        return query.join(SocialAccount, SocialAccount.id == SocialConversation.account_id).where(
            SocialAccount.platform == value
        )
    if value in VISIBILITY:
        return query.where(SocialConversation.public.is_(value == "public"))
    return None


ORIGIN = Origin(labels=labels, choices=choices, ticket_ids=ticket_ids)
