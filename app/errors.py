"""Error pages that look like the site, and the same errors as one JSON shape under ``/api/``."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

#: Stable machine-readable codes for the API's error shape.
ERROR_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 406: "not_acceptable", 409: "conflict", 410: "gone",
    413: "payload_too_large", 415: "unsupported_media_type", 422: "validation_failed",
    429: "rate_limited", 500: "server_error", 503: "unavailable",
}  # fmt: skip

FRIENDLY = {
    400: (
        "Something in that request was not right",
        "Go back, check what you entered and try again.",
    ),
    403: ("You can't open this page", "Your account doesn't have access to it."),
    404: (
        "We couldn't find that page",
        "It may have moved or been removed. Try searching the Help Center.",
    ),
    405: ("That action isn't available here", "Go back and try again from the page itself."),
    410: ("This link is no longer valid", "It has expired or was already used."),
    413: ("That upload is too large", "Choose a smaller file and try again."),
    429: ("Too many attempts", "Please wait a moment before you try again."),
    500: (
        "Something went wrong on our side",
        "We have been told about it. Please try again in a few minutes.",
    ),
}


def error_response(
    status: int,
    message: str,
    *,
    code: str | None = None,
    details: dict | None = None,
    headers: dict | None = None,
):
    """The API's one error shape: ``{"error": {"code", "message", "details"}}``."""
    body = {"error": {"code": code or ERROR_CODES.get(status, "error"), "message": message}}
    if details:
        body["error"]["details"] = details
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _handle_http(error: HTTPException):
    status = error.code or 500
    headers = {}
    retry_after = None
    if status == 429:
        limit = getattr(error, "limit", None)
        retry_after = getattr(getattr(error, "response", None), "headers", {}).get("Retry-After")
        if retry_after is None and limit is not None:
            retry_after = "60"
        if retry_after:
            headers["Retry-After"] = str(retry_after)
    if isinstance(error, SecurityError):
        # A Host this site does not serve (TRUSTED_HOSTS): no URL can be built for it, so no
        # page that links anywhere; a plain answer, nothing echoed back.
        return "This site is not served under that host name.", 400, {"Content-Type": "text/plain"}
    if status == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    if wants_json():
        return error_response(
            status, error.description or FRIENDLY.get(status, ("Error",))[0], headers=headers
        )
    title, hint = FRIENDLY.get(status, (error.name, error.description or ""))
    if isinstance(error, CSRFError):
        title, hint = (
            "This form has expired",
            "Reload the page and submit the form again; nothing was saved.",
        )
    body = render_template(
        "errors/error.html", status=status, title=title, hint=hint, retry_after=retry_after
    )
    return body, status, headers


def init_app(app: Flask) -> None:
    # Unexpected exceptions reach this as InternalServerError once Flask has logged them; in
    # tests they propagate instead (PROPAGATE_EXCEPTIONS), so a bug fails its test loudly.
    app.register_error_handler(HTTPException, _handle_http)
