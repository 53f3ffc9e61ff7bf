"""Signatures as the Standard Webhooks specification writes them.

A secret is ``whsec_`` followed by the base64 of 24 random bytes; the key is those bytes. Each attempt
is sent with three headers: ``webhook-id`` (the message's id, the same on every attempt),
``webhook-timestamp`` (the attempt's time, whole seconds since 1970, UTC) and
``webhook-signature``: ``v1,`` and the base64 of the HMAC-SHA256, under the key, of
``{webhook-id}.{webhook-timestamp}.{body}``. Several signatures may be sent, separated by spaces
(after a change of secret); we send one.
"""

import base64
import hashlib
import hmac
import secrets
import uuid

PREFIX = "whsec_"
KEY_BYTES = 24


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def key_of(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key_of(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def headers(secret: str, message_id: str, timestamp: int, body: str) -> dict[str, str]:
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": signature(secret, message_id, timestamp, body)}
