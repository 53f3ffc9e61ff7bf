"""Which addresses may receive events (protection against server-side request forgery).

Only ``http`` and ``https``; never the app itself (its BASE_URL or SERVER_NAME, or the host a request
came to, by name or by address, on the same port); and, unless an administrator allows it with
``WEBHOOKS_ALLOW_PRIVATE``, only addresses on the public internet: no loopback, private, link-local,
shared, reserved, multicast or unspecified address, whatever the name resolves to. The check runs
when an endpoint is saved and again at every delivery, on the addresses the name resolves to then;
the delivery connects to an address that passed (``sending``), so a name that changes its answer in
between reaches nothing it should not.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request

from planner.i18n import lazy_gettext as _l

DEFAULT_PORTS = {"http": 80, "https": 443}


class Refused(Exception):
    """An address that may not receive events; ``message`` says why, in the reader's language."""

    def __init__(self, code: str, **detail):
        super().__init__(code)
        self.code, self.detail = code, {key: str(value) for key, value in detail.items()}

    @property
    def message(self):
        return message(self.code, self.detail)


def message(code: str, detail: dict):
    """Why an address is refused, as a lazy text (shown under the form field, or in a delivery's log)."""
    host, address = detail.get("host", ""), detail.get("address", "")
    if code == "scheme":
        return _l("Only http:// and https:// addresses can receive events.")
    if code == "own_host":
        return _l("%(host)s is Rollout itself: events are never sent back to the app.", host=host)
    if code == "private":
        return _l("%(host)s leads to %(address)s, an address of a private or local network. Rollout sends events "
                  "only to addresses on the public internet, so that a webhook cannot reach the servers behind "
                  "it. An administrator can allow private addresses (the WEBHOOKS_ALLOW_PRIVATE setting).",
                  host=host, address=address)
    if code == "unknown_host":
        return _l("The name %(host)s cannot be found. Check the address.", host=host)
    return _l("Enter a complete address, such as https://hooks.example.com/crm.")


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]


def private_allowed() -> bool:
    return bool(current_app.config.get("WEBHOOKS_ALLOW_PRIVATE"))


def blocked(address: str) -> bool:
    """True for any address that is not on the public internet."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def resolve(host: str, port: int) -> tuple[str, ...]:
    try:
        return (str(ipaddress.ip_address(host)),)
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError, OSError) as exc:
        raise Refused("unknown_host", host=host) from exc
    return tuple(dict.fromkeys(info[4][0] for info in found))


def _host_port(url: str) -> tuple[str, int] | None:
    try:
        parts = urlsplit(url)
        if not parts.hostname:
            return None
        return parts.hostname.lower().rstrip("."), parts.port or DEFAULT_PORTS.get(parts.scheme.lower(), 80)
    except ValueError:
        return None


def own_hosts() -> set[tuple[str, int]]:
    """(name, port) of the app: BASE_URL, SERVER_NAME, and in a request the host it came to."""
    config = current_app.config
    urls = [config.get("BASE_URL") or ""]
    if config.get("SERVER_NAME"):
        urls.append(f"{config.get('PREFERRED_URL_SCHEME') or 'http'}://{config['SERVER_NAME']}")
    if has_request_context():
        urls.append(request.host_url)
    return {found for url in urls if url and (found := _host_port(url)) is not None}


def _own_addresses(own: set[tuple[str, int]]) -> set[tuple[str, int]]:
    found = set()
    for host, port in own:
        try:
            found.update((address, port) for address in resolve(host, port))
        except Refused:
            continue
    return found


def check(url: str) -> Target:
    """The address as it may be called now, or ``Refused`` with the reason."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Refused("no_host") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise Refused("scheme")
    if not parts.hostname:
        raise Refused("no_host")
    host = parts.hostname.lower().rstrip(".")
    port = port or DEFAULT_PORTS[scheme]
    own = own_hosts()
    if (host, port) in own:
        raise Refused("own_host", host=parts.hostname)
    addresses = resolve(host, port)
    if not private_allowed():
        for address in addresses:
            if blocked(address):
                raise Refused("private", host=parts.hostname, address=address)
    if {(address, port) for address in addresses} & _own_addresses(own):
        raise Refused("own_host", host=parts.hostname)
    return Target(url, scheme, host, port, addresses)
