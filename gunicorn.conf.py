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
