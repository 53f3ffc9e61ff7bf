"""gunicorn settings for `make run` and production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Each setting can be changed by an environment variable (shown); gunicorn's own command-line
options still win over this file.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
# Sync workers: each serves one request at a time. Long work runs in the job worker, not here.
workers = int(os.environ.get("WEB_CONCURRENCY", os.environ.get("WORKERS", "2")))
# No request should come near this: imports, checks and reports run as background jobs.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM (a deploy, Ctrl+C): stop accepting, let running requests finish for this long.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = 5
# Uploads are streamed to storage by the app; a worker is recycled now and then to keep memory flat.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 27's control socket defaults to one path per user: two servers on a machine would share it.
control_socket_disable = True

# Python's full garbage collection walks every object a worker holds (the app, its templates, the
# locale data: about 240,000 objects), about 140 ms each time, every hundred-odd requests: that was
# the slowest 1 % of requests under load. Objects that live as long as the worker are moved out of
# its way (gc.freeze) once the worker has loaded the app, and again once the first requests have
# loaded what is read lazily (translations, compiled templates and queries).
GC_FREEZE_AFTER = int(os.environ.get("GUNICORN_GC_FREEZE_AFTER", "100"))


def _freeze_long_lived() -> None:
    import gc

    gc.collect()
    gc.freeze()


def post_worker_init(worker):
    _freeze_long_lived()


def post_request(worker, req, environ, resp):
    served = getattr(worker, "planner_served", 0) + 1
    worker.planner_served = served
    if served == GC_FREEZE_AFTER:
        _freeze_long_lived()
