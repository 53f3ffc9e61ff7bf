"""Responses compressed on their way out (Flask-Compress): pages, JSON, CSV exports and calendar
feeds, with Brotli when the browser takes it, else gzip. Static files are not concerned: WhiteNoise
serves their compressed copies before Flask sees the request (planner.assets).

A compressed answer's strong ETag gets the encoding appended (``"abc"`` → ``"abc:br"``), so a cache
never mixes the two bodies; the API's If-Match accepts either form (planner.api.locking).

Streamed responses are sent as they are (``COMPRESS_STREAMS`` off): the CRM's CSV export writes its
rows as they are read, in a database context of its own, and a stream of events (none today) must
reach the browser as each event is written, not when a compressor's buffer fills.
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
    app.config.setdefault("COMPRESS_STREAMS", False)
    app.config.setdefault("COMPRESS_BR_LEVEL", 4)  # Brotli's fast levels: smaller than gzip, about as quick
    app.config.setdefault("COMPRESS_LEVEL", 6)
    compress.init_app(app)
