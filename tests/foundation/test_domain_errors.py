"""One error hierarchy: every feature raises ``app.errors.DomainError`` (or a subclass), pages
show it with the one ``form_error``, and the API answers it by class in one place."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import app as app_package
from app import errors

APP_DIR = Path(app_package.__file__).parent

#: Exceptions that are not something the person can fix, so not domain errors.
NOT_DOMAIN_ERRORS = {
    "app.settings.ConfigError",  # a bad setting stops start-up
    "app.ops.backup.BackupError",  # an operator's command failed
    "app.kb.media.tools.ToolFailed",  # ffmpeg or espeak-ng failed: the video job fails
    "app.channels.email.imap.MailboxUnavailable",  # the IMAP server is unreachable or refuses
    "app.outbox.PermanentError",  # an outbox handler's verdict: park the event
    "app.outbox.RetryLater",  # an outbox handler's verdict: try again after the platform's delay
    "app.channels.social.media._Failed",  # a failed image download, noted on the ticket
    "app.search.whoosh_store.OutdatedIndex",  # the index must be rebuilt
    "app.tickets.attachments.AttachmentRejected",  # a file check's ValueError, turned into one
    "app.api.http.ApiAbort",  # an HTTP answer with headers, raised from the API's helpers
    "app.api.limits.RateLimited",  # the API's own rate limit, answered 429
    "app.search.whoosh_engine._OutOfTime",  # control flow inside the search engine
    "app.team.rules.QuizFormatError",  # a pure rule's ValueError; the service makes it a form error
}


def _app_modules():
    for info in pkgutil.walk_packages([str(APP_DIR)], prefix="app."):
        yield importlib.import_module(info.name)


def test_every_error_a_person_can_fix_is_a_domain_error():
    strays = []
    for module in _app_modules():
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, Exception):
                continue
            qualified = f"{module.__name__}.{name}"
            if qualified not in NOT_DOMAIN_ERRORS and not issubclass(cls, errors.DomainError):
                strays.append(qualified)
    assert strays == []


def test_one_form_error_helper():
    defined = []
    for path in APP_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name.lstrip("_") == "form_error":
                defined.append(str(path.relative_to(APP_DIR)))
    assert defined == ["errors.py"]


def test_domain_error_names_its_field_for_the_api():
    error = errors.DomainError("Enter a subject.", "subject")
    assert (error.message, error.field, error.details) == (
        "Enter a subject.",
        "subject",
        {"subject": "Enter a subject."},
    )
    several = errors.DomainError("Check the fields.", details={"a": "required", "b": "too long"})
    assert several.field == "a" and several.details == {"a": "required", "b": "too long"}


def test_api_maps_errors_by_class(app):
    cases = [
        (errors.NotFound("no such ticket"), 404, "not_found"),
        (errors.PermissionDenied("not yours"), 403, "forbidden"),
        (errors.Conflict("changed meanwhile"), 409, "conflict"),
        (errors.DomainError("Enter a subject.", "subject"), 422, "validation_failed"),
    ]
    with app.test_request_context("/api/v1/requests"):
        for error, status, code in cases:
            response = errors.domain_error_response(error)
            assert response.status_code == status
            assert response.get_json()["error"]["code"] == code
    with app.test_request_context("/api/v1/requests"):
        body = errors.domain_error_response(errors.DomainError("Enter a subject.", "subject"))
        assert body.get_json()["error"]["details"] == {"subject": "Enter a subject."}


def test_form_error_puts_the_message_next_to_its_field(app):
    from app.tickets.forms import TicketForm

    with app.test_request_context("/requests/new", method="POST"):
        form = TicketForm(meta={"csrf": False})
        errors.form_error(form, errors.DomainError("Enter a subject.", "subject"))
        errors.form_error(form, errors.DomainError("Sign in first."))
        errors.form_error(form, errors.DomainError("Odd.", "no_such_field"))
        assert form.subject.errors == ["Enter a subject."]
        assert form.form_errors == ["Sign in first.", "Odd."]
