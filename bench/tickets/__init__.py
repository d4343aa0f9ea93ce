"""Benchmark of ``flask tickets tick`` over 100,000 open tickets (``python -m bench.tickets``)."""
