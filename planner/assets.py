"""Static files: content-hashed names, compressed copies, served by WhiteNoise.

At start-up each file under ``static/`` and the few Bootstrap files that Bootstrap-Flask links
(``BOOTSTRAP_FILES``) is copied once into the asset cache as ``name.<hash>.ext``, with ``.gz`` and
``.br`` siblings for text formats. ``url_for('static', filename=…)`` and
``url_for('bootstrap.static', filename=…)`` then return the hashed name, which browsers may keep for
a year without asking again ("immutable"): a changed file gets a new name. Relative ``url(…)``
references inside style sheets are rewritten to the hashed names too. The plain names keep working,
with a short cache time, for anything written by hand.

The cache is content-addressed (a name carries the hash of its bytes), so every process and every
checkout can share it; files are written atomically and only when missing.
"""

import hashlib
import os
import re
import tempfile
from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

ONE_YEAR = 365 * 24 * 3600
HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
CSS_URL = re.compile(r"""url\(\s*(['"]?)(?!data:|https?:|/|#)([^'")?#]+)([?#][^'")]*)?\1\s*\)""")

# What Bootstrap-Flask links with BOOTSTRAP_SERVE_LOCAL (load_css, load_icon_font_css, load_js),
# relative to its bootstrap5 folder, and the icon fonts its style sheet refers to.
BOOTSTRAP_FILES = (
    "css/bootstrap.min.css",
    "css/font/bootstrap-icons.min.css",
    "css/font/fonts/bootstrap-icons.woff2",
    "css/font/fonts/bootstrap-icons.woff",
    "umd/popper.min.js",
    "js/bootstrap.min.js",
)
SKIP = re.compile(r"(^|/)\.|\.map$")


def bootstrap_root() -> Path:
    import flask_bootstrap

    return Path(flask_bootstrap.__file__).resolve().parent / "static" / "bootstrap5"


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def hashed_name(name: str, digest: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{digest}.{ext}" if dot and "/" not in ext else f"{name}.{digest}"


def _write(path: Path, data: bytes) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _compressed(compressor: Compressor, data: bytes):
    """Brotli and gzip versions of ``data`` that are worth sending (at least 5 % smaller)."""
    if not data:
        return
    if compressor.use_brotli:
        packed = compressor.compress_brotli(data)
        if len(packed) > 0.95 * len(data):
            return
        yield ".br", packed
    packed = compressor.compress_gzip(data)
    if len(packed) <= 0.95 * len(data):
        yield ".gz", packed


class Bundle:
    """One folder of source files, published under one URL prefix with hashed names."""

    def __init__(self, source: Path, files: list[str], cache: Path, compressor: Compressor):
        self.source = source
        self.cache = cache
        self.manifest: dict[str, str] = {}
        # Fonts and images first: style sheets refer to them and are hashed after the rewrite.
        for name in sorted(files, key=lambda n: n.endswith(".css")):
            data = (source / name).read_bytes()
            if name.endswith(".css"):
                data = self._rewrite_css(name, data)
            hashed = hashed_name(name, _hash(data))
            target = cache / hashed
            if not target.exists():
                # Compressed siblings first, the file itself last: once it exists, all of them do.
                if compressor.should_compress(name):
                    for suffix, packed in _compressed(compressor, data):
                        _write(target.with_name(target.name + suffix), packed)
                _write(target, data)
            self.manifest[name] = hashed

    def _rewrite_css(self, name: str, data: bytes) -> bytes:
        folder = Path(name).parent

        def replace(match: re.Match) -> str:
            quote, target, _suffix = match.group(1), match.group(2), match.group(3)
            relative = os.path.normpath(folder / target).replace(os.sep, "/")
            hashed = self.manifest.get(relative)
            if hashed is None:
                return match.group(0)
            return f"url({quote}{os.path.relpath(hashed, folder).replace(os.sep, '/')}{quote})"

        return CSS_URL.sub(replace, data.decode("utf-8")).encode("utf-8")


def _static_files(root: Path) -> list[str]:
    names = []
    for path in root.rglob("*"):
        name = path.relative_to(root).as_posix()
        if path.is_file() and not SKIP.search(name):
            names.append(name)
    return names


def _add_headers(headers, path, url):
    headers["X-Content-Type-Options"] = "nosniff"


def init_app(app: Flask) -> None:
    cache = Path(app.config.get("ASSET_CACHE") or Path(app.root_path).parent / "build" / "assets")
    compressor = Compressor(quiet=True)
    static = Bundle(Path(app.static_folder), _static_files(Path(app.static_folder)), cache / "static", compressor)
    bootstrap = Bundle(bootstrap_root(), list(BOOTSTRAP_FILES), cache / "bootstrap", compressor)
    manifests = {"static": static.manifest, "bootstrap.static": bootstrap.manifest}
    app.extensions["assets"] = manifests

    @app.url_defaults
    def hashed_static_names(endpoint, values):
        manifest = manifests.get(endpoint)
        if manifest is not None and "filename" in values:
            values["filename"] = manifest.get(values["filename"], values["filename"])
            values.pop("v", None)  # the name carries the version now

    served = WhiteNoise(app.wsgi_app, max_age=3600, add_headers_function=_add_headers,
                        immutable_file_test=lambda path, url: bool(HASHED.search(url)))
    served.add_files(str(cache / "static"), prefix="static/")
    served.add_files(app.static_folder, prefix="static/")
    served.add_files(str(cache / "bootstrap"), prefix="bootstrap/static/")
    app.wsgi_app = served
