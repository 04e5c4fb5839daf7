"""Which releases of the Python SDK exist, and which of them PyPI serves.

The list comes from PyPI's JSON API and is cached on disk with the time it was
fetched (``~/.cache/ld-sink-harness/python-sdk/releases.json``, under
``XDG_CACHE_HOME`` when set), so listing is fast and works offline once the
cache is warm. A stale cache is refreshed when the index answers and used as it
is when it does not. Releases the changelog describes but PyPI does not serve
(9.19.0) are listed as not served, with the reason.
"""

from __future__ import annotations

import json
import os
import time
import urllib.request
from pathlib import Path

from ...errors import UsageError
from ..releases import Release, Version
from .door import DISTRIBUTION

INDEX_URL = f"https://pypi.org/pypi/{DISTRIBUTION}/json"
OLDEST = Version.parse("9.0.0")  # the family lists releases from here up
FRESH_FOR = 24 * 3600            # seconds a fetched list is used without asking the index again
TIMEOUT = 15                     # seconds the index has to answer
# Releases the SDK's changelog describes that PyPI has never served (so its JSON does not list them).
NOT_ON_PYPI = {"9.19.0": "not served by PyPI (the 9.20.0 changelog describes it, but no file was published)"}


def cache_root() -> Path:
    """The kit's cache for Python releases: ``$XDG_CACHE_HOME`` (or ``~/.cache``)/ld-sink-harness/python-sdk."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ld-sink-harness" / "python-sdk"


def fetch_index() -> dict[str, str]:
    """Every release PyPI knows, version -> "" when it is served, else why not (yanked, no files)."""
    with urllib.request.urlopen(INDEX_URL, timeout=TIMEOUT) as response:
        data = json.load(response)
    out: dict[str, str] = {}
    for version, files in data.get("releases", {}).items():
        if not files:
            out[version] = "PyPI lists it without any file"
        elif all(f.get("yanked") for f in files):
            reasons = {f.get("yanked_reason") or "" for f in files} - {""}
            out[version] = "yanked from PyPI" + (f" ({', '.join(sorted(reasons))})" if reasons else "")
        else:
            out[version] = ""
    return out


class IndexUnreachable(UsageError):
    """PyPI cannot be reached and no list of releases is cached."""


def _now() -> float:
    """The real time, even inside a virtual-time freeze (freezegun keeps the real function)."""
    try:
        from freezegun.api import real_time
    except ImportError:
        return time.time()
    return real_time()


def _cache_file() -> Path:
    return cache_root() / "releases.json"


def _read_cache() -> tuple[float, dict[str, str]] | None:
    try:
        data = json.loads(_cache_file().read_text(encoding="utf-8"))
        return float(data["fetched"]), dict(data["releases"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_cache(releases: dict[str, str]) -> None:
    path = _cache_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps({"fetched": _now(), "releases": releases}, indent=0), encoding="utf-8")
    os.replace(partial, path)


def known_releases(refresh: bool = False) -> dict[str, str]:
    """version -> "" (served) or why not, from the cache when it is fresh, else from PyPI (then
    cached). Raises :class:`IndexUnreachable` when PyPI cannot be reached and nothing is cached."""
    cached = _read_cache()
    if cached is not None and not refresh and _now() - cached[0] < FRESH_FOR:
        return cached[1]
    try:
        releases = fetch_index()
    except (OSError, ValueError) as e:  # URLError and timeouts are OSErrors; a broken answer a ValueError
        if cached is not None:
            return cached[1]
        raise IndexUnreachable(f"cannot list the releases of {DISTRIBUTION}: PyPI ({INDEX_URL}) cannot be "
                               f"reached ({e}) and no list is cached in {_cache_file()}") from None
    _write_cache(releases)
    return releases


def releases(refresh: bool = False) -> list[Release]:
    """Every release from 9.0.0 up, oldest first, served or not (with the reason)."""
    known = dict(known_releases(refresh))
    for version, reason in NOT_ON_PYPI.items():
        known.setdefault(version, reason)
    out = []
    for text, reason in known.items():
        try:
            version = Version.parse(text)
        except UsageError:  # a pre-release (9.0.0rc1) or another form: not a release a target names
            continue
        if version >= OLDEST:
            out.append(Release(version, served=not reason, reason=reason))
    return sorted(out, key=lambda release: release.version)
