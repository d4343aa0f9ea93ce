"""The Flask class of the help center: Flask, plus self-contained blueprints.

A *self-contained* blueprint answers its requests with its own hooks only. The site's
application-wide request hooks (CSRF checks, Flask-Limiter's bookkeeping, Flask-Login's
remember-me cookie, the search indexer's start check, the site's HTML security headers, the
session cookie) are for pages a browser renders with a cookie session; the JSON API has bearer
tokens, no cookies, its own rate limits and its own headers, so running them there is pure cost.
On the API's cached snippet answer they were about a third of the time of a request.

Deny by default still holds: a self-contained blueprint gets nothing from the site, so a hook
that must also guard it is registered on it (``app.api.views`` does so for limits, CORS and
security headers). ``tests/test_application.py`` holds both sides of the rule.
"""

from __future__ import annotations

import sys

from flask import Flask, Response, request
from flask.globals import request_ctx
from flask.signals import request_tearing_down

#: The Flask minor version the overrides below were checked against (their bodies follow
#: Flask's ``preprocess_request``/``process_response``/``do_teardown_request`` and read its
#: private ``request_ctx._after_request_functions``). pyproject.toml pins Flask to it, and
#: ``tests/test_application.py`` fails on another: compare with Flask's code, then bump both.
FLASK_MINOR = "3.1"

_NO_EXCEPTION = object()


class HelpCenterFlask(Flask):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        #: Names of top-level blueprints whose requests skip the application-wide hooks
        #: (add one with :meth:`make_self_contained`).
        self.self_contained_blueprints: frozenset[str] = frozenset()
        self._self_contained_chains: dict[str | None, tuple[str, ...] | None] = {}

    def make_self_contained(self, blueprint_name: str) -> None:
        self.self_contained_blueprints = self.self_contained_blueprints | {blueprint_name}
        self._self_contained_chains.clear()

    def _own_blueprints(self) -> tuple[str, ...] | None:
        """The request's blueprints (innermost first) when they are self-contained, else None."""
        endpoint = request.endpoint  # the blueprints are a function of it: worked out once
        try:
            return self._self_contained_chains[endpoint]
        except KeyError:
            pass
        names = tuple(request.blueprints)
        chain = names if names and names[-1] in self.self_contained_blueprints else None
        self._self_contained_chains[endpoint] = chain
        return chain

    def preprocess_request(self):
        names = self._own_blueprints()
        if names is None:
            return super().preprocess_request()
        for name in reversed(names):  # outermost first, as Flask does
            for url_func in self.url_value_preprocessors.get(name, ()):
                url_func(request.endpoint, request.view_args)
        for name in reversed(names):
            for before_func in self.before_request_funcs.get(name, ()):
                answer = self.ensure_sync(before_func)()
                if answer is not None:
                    return answer
        return None

    def process_response(self, response: Response) -> Response:
        names = self._own_blueprints()
        if names is None:
            return super().process_response(response)
        for func in request_ctx._after_request_functions:  # after_this_request
            response = self.ensure_sync(func)(response)
        for name in names:
            for func in reversed(self.after_request_funcs.get(name, ())):
                response = self.ensure_sync(func)(response)
        # No session is saved: a self-contained blueprint never gets a cookie session.
        return response

    def do_teardown_request(self, exc: BaseException | None = _NO_EXCEPTION) -> None:  # type: ignore[assignment]
        names = self._own_blueprints()
        if names is None:
            if exc is _NO_EXCEPTION:
                return super().do_teardown_request()
            return super().do_teardown_request(exc)
        if exc is _NO_EXCEPTION:
            exc = sys.exc_info()[1]
        for name in names:
            for func in reversed(self.teardown_request_funcs.get(name, ())):
                self.ensure_sync(func)(exc)
        request_tearing_down.send(self, _async_wrapper=self.ensure_sync, exc=exc)
