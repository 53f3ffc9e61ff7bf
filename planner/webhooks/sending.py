"""The HTTP POST of one attempt, to an address ``addresses.check`` let through.

The connection goes to that very address (not to whatever the name resolves to a moment later);
the ``Host`` header and, for https, the certificate check and SNI use the name. Redirects are not
followed (an answer 3xx is a failure: a webhook receiver answers 2xx), the answer is read up to
``MAX_READ`` bytes, and each step is bounded by the timeout.
"""

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from planner.webhooks.addresses import Target

MAX_READ = 64 * 1024
EXCERPT_CHARS = 1000
USER_AGENT = "Rollout-Webhooks/1.0"


class _Pinned(http.client.HTTPConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Answer:
    status: int
    excerpt: str
    duration_ms: int


class SendError(Exception):
    """No answer: ``code`` is one of ``delivery.ERRORS`` (timeout, connection, tls), ``detail`` technical."""

    def __init__(self, code: str, detail: str, duration_ms: int):
        super().__init__(code)
        self.code, self.detail, self.duration_ms = code, detail[:300], duration_ms


def post(target: Target, body: bytes, headers: dict, timeout: float) -> Answer:
    parts = urlsplit(target.url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    connection_class = _PinnedTLS if target.scheme == "https" else _Pinned
    started = time.monotonic()
    last_error: SendError | None = None
    for address in target.addresses:
        connection = connection_class(target.host, target.port, address, timeout)
        try:
            connection.request("POST", path, body=body, headers={
                "Content-Type": "application/json", "User-Agent": USER_AGENT, **headers})
            response = connection.getresponse()
            raw = response.read(MAX_READ)
            text = raw.decode(response.headers.get_content_charset() or "utf-8", errors="replace")
            return Answer(response.status, text[:EXCERPT_CHARS], _ms(started))
        except TimeoutError as exc:
            last_error = SendError("timeout", str(exc) or "timed out", _ms(started))
            break  # another address of the same name would make the attempt twice as long
        except ssl.SSLError as exc:
            last_error = SendError("tls", f"{type(exc).__name__}: {exc}", _ms(started))
            break
        except (OSError, http.client.HTTPException) as exc:
            last_error = SendError("connection", f"{type(exc).__name__}: {exc}", _ms(started))
        finally:
            connection.close()
    raise last_error or SendError("connection", "no address", _ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
