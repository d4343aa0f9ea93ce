"""The domain errors every feature raises, error pages that look like the site, and the same
errors as one JSON shape under ``/api/``."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError


class DomainError(Exception):
    """Something the person can fix; ``field`` names the form field or parameter it belongs to.

    Services raise it (or a subclass); page views put it next to its field with
    :func:`form_error`, and the API answers it in one place (:func:`domain_error_response`).
    ``details`` maps each field to what is wrong with it, for the API, when one error names
    several fields or a shorter reason than ``message``; by default it is ``{field: message}``.
    """

    def __init__(
        self, message: str, field: str | None = None, *, details: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field if field is not None or not details else next(iter(details))
        self.details = details if details is not None else ({field: message} if field else {})


class NotFound(DomainError):
    """No such object *for this person* (pages answer 404, the API too)."""


class PermissionDenied(DomainError):
    """The acting user may not do this (pages answer 403, the API too)."""


class Conflict(DomainError):
    """Someone saved in between; nothing was saved (subclasses keep what the page needs to
    show the two versions)."""


#: The API's status for each domain error class; the most specific class in the MRO wins.
API_STATUS: dict[type[DomainError], int] = {NotFound: 404, PermissionDenied: 403, Conflict: 409}


def form_error(form, error: DomainError) -> None:
    """Put a domain error next to its field, or above the form when it names none (or one the
    form doesn't have)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


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


def domain_error_response(error: DomainError):
    """A domain error in the API's error shape: 404, 403 or 409 by class, otherwise 422 with
    what is wrong with each field in ``details``."""
    status = next((API_STATUS[cls] for cls in type(error).__mro__ if cls in API_STATUS), 422)
    if status == 404:
        # The same answer as for a missing route: nothing about what exists leaks.
        return error_response(404, "Not found.")
    return error_response(status, error.message, details=error.details)


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
