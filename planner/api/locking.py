"""Optimistic locking: every mutable resource's version is an ETag, the hash of its representation.

A change must name the version it was made from (``If-Match``): without it the answer is 428; if
the resource changed since, 412 with the current representation, so two integrations never
overwrite each other. The row is read ``FOR UPDATE`` (PostgreSQL), so of two changes sent at the
same moment from the same version the second one sees the first and gets its 412.
"""

import hashlib
import json
import re

from flask import jsonify, request

from planner.api.auth import refuse
from planner.errors import problem


def etag_of(representation: dict) -> str:
    canonical = json.dumps(representation, sort_keys=True, default=str, separators=(",", ":"))
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


def tagged(representation: dict, status: int = 200, basis: dict | None = None):
    """The JSON answer with its ETag (of ``basis`` when given: what versions the resource, where the
    representation also holds words in the reader's language)."""
    response = jsonify(representation)
    response.status_code = status
    response.headers["ETag"] = etag_of(representation if basis is None else basis)
    return response


def require_match(representation: dict, basis: dict | None = None) -> None:
    """Refuses the change unless If-Match names the current version."""
    wanted = request.headers.get("If-Match")
    if not wanted:
        refuse(428)
    current = etag_of(representation if basis is None else basis)
    candidates = {version_of(tag) for tag in wanted.split(",")}
    if "*" not in candidates and current.strip('"') not in candidates:
        raise StaleVersion(representation, current)


ENCODED = re.compile(r":(br|gzip|deflate|zstd)$")


def version_of(tag: str) -> str:
    """The version an entity tag names, however it came back: quoted or not, weak (``W/``, as a proxy
    that compresses makes it) or with the encoding our compression appends (``"abc:br"``)."""
    tag = tag.strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    return ENCODED.sub("", tag.strip('"'))


class StaleVersion(Exception):
    def __init__(self, representation: dict, etag: str):
        super().__init__("stale")
        self.representation, self.etag = representation, etag


def stale_response(error: StaleVersion):
    response = problem(412, current=error.representation)
    response.headers["ETag"] = error.etag
    return response
