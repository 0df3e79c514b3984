"""Parsed data files kept between runs as JSON, so a cold command does not parse YAML again.

A cold ``rvlms plan`` reads about seventy YAML files: the rules, the bibliography, the
follow-up schemes and the published-case library. Even with libyaml, parsing them is the
largest single cost of the command after importing Python itself; JSON of the same data
parses about ten times faster. The parsed content of each file is therefore kept in the
user's cache folder, under a key made of the file's path, size and modification time and
the rvlms version, and a changed file is simply parsed again.

The cache is an optimisation, never a source of truth: a cache folder that cannot be
written, or an entry that cannot be read back, is ignored and the file is parsed as usual.
Only data that JSON represents exactly is cached; a file whose parsed content holds
anything else (a YAML date, say) is parsed every time, so a cached read always returns
exactly what parsing returns.

``RVLMS_CACHE_DIR`` chooses the folder (``off`` disables the cache); otherwise it is
``$XDG_CACHE_HOME/rvlms`` or ``~/.cache/rvlms``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rvlms import __version__

__all__ = ["cache_folder", "cached_parse"]

_OFF = {"off", "0", "false", "no", "none"}
_PLAIN = (str, int, float, bool, type(None))


def cache_folder() -> Path | None:
    """Where parsed files are kept, or ``None`` when caching is switched off."""
    chosen = os.environ.get("RVLMS_CACHE_DIR", "").strip()
    if chosen and chosen.lower() in _OFF:
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "rvlms"


def _key(path: Path) -> str | None:
    try:
        status = path.stat()
    except OSError:
        return None
    identity = f"{path.resolve()}\0{status.st_size}\0{status.st_mtime_ns}\0{__version__}"
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]


def _json_exact(value: Any) -> bool:
    """True when JSON gives this value back unchanged (no dates, tuples or odd keys)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_exact(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_json_exact(v) for v in value)
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    return isinstance(value, _PLAIN)


def cached_parse(path: Path, parse: Callable[[Path], Any]) -> Any:
    """``parse(path)``, or the same content from the cache when the file is unchanged."""
    folder = cache_folder()
    key = _key(path) if folder is not None else None
    if folder is None or key is None:
        return parse(path)
    entry = folder / f"{key}.json"
    try:
        return json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    data = parse(path)
    if _json_exact(data):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            temporary = entry.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
            temporary.replace(entry)
        except OSError:
            pass
    return data
