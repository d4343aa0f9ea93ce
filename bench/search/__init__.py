"""Search benchmark: ``.venv/bin/python -m bench.search --docs 100000`` (see bench/README.md)."""
