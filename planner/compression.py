"""Responses compressed on their way out (Flask-Compress): pages, JSON, CSV exports and calendar
feeds, with Brotli when the browser takes it, else gzip. Static files are not concerned: WhiteNoise
serves their compressed copies before Flask sees the request (planner.assets).

A compressed answer's strong ETag gets the encoding appended (``"abc"`` → ``"abc:br"``), so a cache
never mixes the two bodies; the API's If-Match accepts either form (planner.api.locking). Nothing here
streams events to the browser; should something ever do (``text/event-stream``), it is left alone
because only the types below are compressed.
"""

from flask_compress import Compress

compress = Compress()

MIMETYPES = [
    "text/html",
    "text/plain",
    "text/csv",
    "text/calendar",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/problem+json",
    "image/svg+xml",
]


def init_app(app) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "deflate"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 4)  # Brotli's fast levels: smaller than gzip, about as quick
    app.config.setdefault("COMPRESS_LEVEL", 6)
    compress.init_app(app)
