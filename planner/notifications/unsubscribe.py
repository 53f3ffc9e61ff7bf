"""One-click unsubscribe links: signed (itsdangerous, with the app's secret), no sign-in needed,
good once (the mail they came in remembers its link was used), and changing one setting only: the
kind of event of that mail (to "in the app only"), or, from a digest, the digest (every kind that
went by digest is then shown in the app only)."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

DIGEST = "digest"
SALT = "notifications.unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token(user, kind: str, mail_id: int) -> str:
    return _serializer().dumps({"u": user.id, "k": kind, "m": mail_id})


def read(value: str) -> dict | None:
    """The token's content ({"u": user id, "k": kind, "m": mail id}), or None when it was not ours."""
    try:
        data = _serializer().loads(value)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(key), t) for key, t in
                                             (("u", int), ("k", str), ("m", int))):
        return None
    return data
