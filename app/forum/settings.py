"""The forum's settings.

Every number of the moderation rules lives here, so an operator can change it in
``instance/config.py`` (or ``HELPCENTER_<KEY>`` JSON in the environment) and the moderators' help
page shows the values in force.
"""

from __future__ import annotations

from app.settings import Setting, at_least

S = Setting
#: Every number of the moderation rules; the moderators' help page shows the values in force.
SETTINGS = [
    S(
        "FORUM_TRUST_LEVELS",
        [
            {
                "level": 1,
                "name": "Basic",
                "min_days": 1,
                "min_posts_read": 10,
                "min_posts": 1,
                "min_likes_received": 0,
                "max_flags_against": 2,
            },
            {
                "level": 2,
                "name": "Member",
                "min_days": 7,
                "min_posts_read": 50,
                "min_posts": 5,
                "min_likes_received": 3,
                "max_flags_against": 1,
            },
            {
                "level": 3,
                "name": "Regular",
                "min_days": 30,
                "min_posts_read": 200,
                "min_posts": 20,
                "min_likes_received": 10,
                "max_flags_against": 0,
            },
        ],
        list,
        'Trust levels above 0 ("New"), each reached when *all* its requirements are met, in '
        "order. `max_flags_against` counts flags on the user's posts that moderators upheld.",
        section="forum",
        shown="Basic (1), Member (2), Regular (3): see `app/forum/settings.py`",
    ),
    S("FORUM_TRUST_LEVEL_0_NAME", "New", str, "The name of trust level 0.", section="forum"),
    S(
        "FORUM_LEVEL_LIMITS",
        {
            0: {"max_links": 2, "images": False, "posts_per_window": 3, "window_seconds": 300},
            1: {"max_links": 5, "images": True, "posts_per_window": 10, "window_seconds": 300},
            2: {"max_links": 10, "images": True, "posts_per_window": 20, "window_seconds": 300},
            3: {"max_links": 20, "images": True, "posts_per_window": 40, "window_seconds": 300},
        },
        dict,
        "What each trust level may do: links per post, images, and posts per rolling window.",
        section="forum",
        shown="see `app/forum/settings.py`",
    ),
    S(
        "FORUM_PREMODERATE_POSTS",
        2,
        int,
        "Posts of a trust-level-0 user go to the review queue until this many were approved.",
        validate=at_least(0),
        section="forum",
    ),
    S(
        "FORUM_RATE_LIMITS_ENABLED",
        True,
        bool,
        "Posting rate limits are on when this and `RATELIMIT_ENABLED` are both true.",
        section="forum",
    ),
    S(
        "FORUM_DUPLICATE_WINDOW_SECONDS",
        24 * 60 * 60,
        int,
        "The same author posting the same text again within this many seconds is refused.",
        validate=at_least(0),
        section="forum",
    ),
    S(
        "FORUM_BLOCKED_WORDS",
        ["viagra", "casino", "crypto giveaway"],
        list,
        "Posts with these words are refused. (Another account posting the same text within the "
        "duplicate window goes to the review queue.)",
        section="forum",
    ),
    S(
        "FORUM_BLOCKED_DOMAINS",
        ["spam.example", "bit.ly"],
        list,
        "Links to these domains are refused.",
        section="forum",
    ),
    S(
        "FORUM_FLAG_WEIGHTS",
        {0: 1.0, 1: 1.5, 2: 2.0, 3: 3.0},
        dict,
        "Base weight of one flag by the flagger's trust level.",
        section="forum",
    ),
    S(
        "FORUM_MODERATOR_FLAG_WEIGHT",
        10.0,
        float,
        "A flag from a moderator weighs this much (enough to hide at once with the default).",
        validate=at_least(0),
        section="forum",
    ),
    S(
        "FORUM_FLAG_HIDE_WEIGHT",
        5.0,
        float,
        "Open flags on a post adding up to this weight hide it until a moderator reviews it, "
        "provided one of them comes from a member of at least `FORUM_FLAG_HIDE_MIN_LEVEL`.",
        validate=at_least(0),
        section="forum",
    ),
    S(
        "FORUM_FLAG_HIDE_MIN_LEVEL",
        1,
        int,
        "The trust level (or a moderator) one of the hiding flags must come from: flags of new "
        "members alone only put the post in the review queue.",
        validate=at_least(0),
        section="forum",
    ),
    S(
        "FORUM_FLAG_FULL_WEIGHT_DAYS",
        3,
        float,
        "A flag from an account younger than this many days weighs in proportion to its age (an"
        " hour-old account: 1/72 of its level's weight); 0 turns the discount off.",
        validate=at_least(0),
        section="forum",
    ),
    S(
        "FORUM_CLAIM_SECONDS",
        15 * 60,
        int,
        "How long a moderator's claim on a review item lasts before another may take it.",
        validate=at_least(1),
        section="forum",
    ),
    S(
        "FORUM_SILENCE_HOURS",
        72,
        int,
        "Default length of a silence (the moderator may choose another).",
        validate=at_least(1),
        section="forum",
    ),
    S(
        "FORUM_THREADS_PER_PAGE",
        20,
        int,
        "Threads per page of a category.",
        validate=at_least(1),
        section="forum",
    ),
    S(
        "FORUM_POSTS_PER_PAGE",
        20,
        int,
        "Posts per page of a thread.",
        validate=at_least(1),
        section="forum",
    ),
]

#: The defaults by key (the rules' tests read them).
DEFAULTS = {setting.key: setting.default for setting in SETTINGS}
