"""gunicorn settings for the Help Center (``gunicorn --config gunicorn.conf.py wsgi:app``).

Threaded workers (``gthread``), one process per CPU core and a few threads in each:
- a page spends much of its time waiting on the database, so threads overlap those waits while
  the GIL lets each process use about one core; more processes than cores only add memory;
- each worker runs the search indexer as a real thread (woken after each commit), which an
  event-loop worker (gevent, eventlet) would turn into a greenlet that blocks the loop while it
  indexes, and whose monkey-patching the database drivers and the index's file lock don't expect;
- no ``preload_app``: each worker builds its own database pool and indexer after the fork.

Everything can be overridden from the environment: ``WEB_CONCURRENCY`` (processes),
``GUNICORN_THREADS``, ``BIND`` (default ``127.0.0.1:$PORT``, 5000 without PORT) and
``GUNICORN_CMD_ARGS`` for any other gunicorn option.
"""

import os

wsgi_app = "wsgi:app"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY") or max(2, os.cpu_count() or 1))
# Open chats (docs/chat.md): a waiting chat request (long-poll, Server-Sent Events) holds a
# thread, idle, for up to CHAT_WAIT_SECONDS. So each worker has many threads, of which at most
# CHAT_STREAMS_PER_PROCESS wait for chat; the other PAGE_THREADS are always there for pages.
# Idle waiting threads cost no CPU and hold no database connection; busy page threads are still
# limited by the GIL, as with 4 threads.
threads = int(os.environ.get("GUNICORN_THREADS") or 192)
PAGE_THREADS = int(os.environ.get("GUNICORN_PAGE_THREADS") or 32)
# With no more threads than the pages keep (a small host, a test), no chat request waits in a
# thread: every one answers at once and the client polls.
os.environ.setdefault("HELPCENTER_CHAT_STREAMS_PER_PROCESS", str(max(threads - PAGE_THREADS, 0)))
# Each open chat is one connection, besides the threads.
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS") or 1000)
bind = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT') or 5000}"
# A request that takes longer than this is stuck; its worker is replaced.
timeout = 30
# On SIGTERM, requests in flight get this long to finish before the workers are stopped. It
# stays under honcho's 5 s (scripts/start), after which honcho SIGKILLs what still runs;
# waiting chat requests end at once on SIGTERM (post_worker_init), pages take milliseconds.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT") or 3)
keepalive = 5
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" request=%({x-request-id}o)s'


def child_exit(server, worker):
    """Drop a dead worker's live gauges from the metrics (prometheus-client multiprocess)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def worker_exit(server, worker):
    """Write the page views and searches this worker counted since its last flush
    (``app.tallies``), so a restart or a graceful stop loses none."""
    app = getattr(worker, "wsgi", None)
    if "tallies" not in getattr(app, "extensions", {}):
        return
    from app import tallies
    from app.models import utcnow

    try:
        with app.app_context():
            tallies.flush(utcnow())
    except Exception:
        server.log.exception("counted page views could not be written")


def post_worker_init(worker):
    """On SIGTERM the worker also ends its waiting chat requests (long-polls, event streams)
    at once, instead of holding the stop for up to CHAT_WAIT_SECONDS (docs/chat.md)."""
    import signal
    import threading

    stop = worker.handle_exit

    def handle_exit(signum, frame):
        stop(signum, frame)
        app = getattr(worker, "wsgi", None)
        if "chat_stopping" in getattr(app, "extensions", {}):
            from app.channels.chat import waiting

            # Not in the signal handler itself: waking takes the broker's lock.
            threading.Thread(target=waiting.stop_waiting, args=(app,), daemon=True).start()

    signal.signal(signal.SIGTERM, handle_exit)
