"""Security headers: the site's on every page, the API's (``API_HEADERS``) on every JSON answer."""

from __future__ import annotations

from flask import Flask, request


def content_security_policy(embed_hosts: list[str], image_hosts: list[str] = ()) -> str:
    """No inline script or style anywhere; frames only from ourselves and the configured video
    hosts, images only from ourselves and the configured image hosts (``app.markup`` turns
    any other image into a link, so a tracking pixel can't call out); the site may not be
    framed. ``data:`` images stay allowed: the stylesheet draws its icons (select arrows,
    checkbox ticks, the search field's magnifier) as inline SVG, and a data URI makes no
    request, so it can't track anyone; the sanitiser never lets one into user content."""
    frames = " ".join(["'self'", *embed_hosts])
    images = " ".join(["'self'", "data:", *(f"https://{host}" for host in image_hosts)])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
            "media-src 'self' https:",
            f"frame-src {frames}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


#: For JSON answers, which are never rendered as a document: nothing may load or frame them,
#: and a browser may not sniff them into HTML. The site's document headers (referrer, features)
#: mean nothing there. Set by the API's own after-request hook (it skips the site's hooks).
API_HEADERS = (
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000")


def init_app(app: Flask) -> None:
    policy = content_security_policy(
        app.config["VIDEO_EMBED_HOSTS"], app.config["MARKUP_IMAGE_HOSTS"]
    )
    # (name, lower-case name, value): a header the response already has is left as it is.
    fixed = [
        (name, name.lower(), value)
        for name, value in (
            ("Content-Security-Policy", policy),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "strict-origin-when-cross-origin"),
            ("X-Frame-Options", "DENY"),
            ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        )
    ]
    hsts = (HSTS[0], HSTS[0].lower(), HSTS[1])

    @app.after_request
    def set_security_headers(response):
        # One pass over the headers instead of a setdefault per header: a missing header made
        # Werkzeug raise and catch a KeyError, which was most of the cost of a small response.
        headers = response.headers
        present = {name.lower() for name, _ in headers}
        wanted = [*fixed, hsts] if request.is_secure else fixed
        for name, lower, value in wanted:
            if lower not in present:
                headers.add(name, value)
        return response
