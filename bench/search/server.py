"""The benchmark's HTTP server process (a module of its own so ``spawn`` can import it)."""

from __future__ import annotations


def serve(config: dict, port: int) -> None:
    """Run the real app under werkzeug's threaded server on 127.0.0.1 until terminated."""
    import logging

    from werkzeug.serving import make_server

    from app import create_app

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    make_server("127.0.0.1", port, create_app(config), threaded=True).serve_forever()
