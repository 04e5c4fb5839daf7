"""The values generated steps are drawn from, shaped so that targets collide.

Each generated step is read from four bytes (see :mod:`harness.strategies`):
the first picks its kind, the other three, ``a``, ``b`` and ``c``, are handed
to its kind's ``drawn(a, b, c)``. Every value is a byte (or a few bits of one)
taken modulo its choices, with choice 0 the plainest, so Hypothesis's
shrinking (shorter, then smaller bytes) deletes steps and makes the rest
plainer. The tables below are the whole shape: a small key space, versions
near each other (ties and stale writes are common), every state and error
kind, and waits around the 0.5 s availability poll and the outage threshold.

Pure: no Hypothesis, no YAML, no pandas, no SDK.
"""

from __future__ import annotations

import functools

from ..item_fields import Item
from ..values import ERROR_KINDS, ErrorInfo

FLAGS = ("f1", "f2", "f3")
SEGMENTS = ("s1", "s2")
CONTEXTS = ("user-1", "user-2")
MS = 1_000
# Around the availability poll (0.5 s), the default outage log threshold (1 m) and cache TTLs.
WAITS = (0, 250 * MS, 500 * MS, 501 * MS, 1_000 * MS, 5_000 * MS, 30_000 * MS, 60_000 * MS, 61_000 * MS)
# Writes collide: one flag written most, and versions bunched low (ties and stale writes).
WRITTEN = (("flags", "f1"),) * 4 + (("flags", "f2"),) * 2 + (("flags", "f3"), ("segments", "s1"),
                                                                ("segments", "s1"), ("segments", "s2"))
WRITE_VERSIONS = (1, 1, 2, 2, 0, 1, 2, 3, 3, 4, 5, 6)
ERROR_CODES = (0, 0, 401, 503)
ERROR_MESSAGES = ("", "connection reset", "bad gateway")
DEFAULTS = (None, False, True)


def pick(table: tuple, byte: int):
    """The entry of ``table`` a byte stands for."""
    return table[byte % len(table)]


@functools.lru_cache(maxsize=None)
def error(a: int, b: int) -> ErrorInfo:
    """An error of any kind, with a status code and a message from ``b``."""
    return ErrorInfo(pick(ERROR_KINDS, a), ERROR_CODES[b % 4], ERROR_MESSAGES[(b // 4) % 3])


def flag_item(key: str, version: int, options: int) -> Item:
    """A flag spec: maybe off, maybe with a prerequisite or a segment rule, served by variation 0 or 1."""
    spec: dict = {"version": version}
    if options & 1:
        spec["fallthrough"] = {"variation": (options >> 1) & 1}
    if (options >> 2) & 3 == 3:
        spec["on"] = False
    others = [f for f in FLAGS if f != key]
    if (options >> 4) & 3 == 3:
        spec["prerequisites"] = [others[(options >> 6) & 1]]
    if (options >> 2) & 3 == 1:
        spec["segments"] = [SEGMENTS[(options >> 6) & 1]]
    return Item("flags", key, spec)


def segment_item(key: str, version: int, options: int) -> Item:
    """A segment spec, maybe including one of the contexts."""
    spec: dict = {"version": version}
    if options & 1:
        spec["included"] = [CONTEXTS[(options >> 1) & 1]]
    return Item("segments", key, spec)


def written_item(a: int, version: int, options: int) -> Item:
    """The item a write names by ``a``, with this version and options."""
    return _written_item(a % len(WRITTEN), version, options)


@functools.lru_cache(maxsize=None)  # items are immutable, and a campaign writes the same ones again and again
def _written_item(index: int, version: int, options: int) -> Item:
    kind, key = WRITTEN[index]
    return flag_item(key, version, options) if kind == "flags" else segment_item(key, version, options)


def initial_items(a: int, b: int, c: int) -> tuple[tuple[Item, ...], tuple[Item, ...]]:
    """(flags, segments): which from ``a``'s bits; their versions and options from ``b`` and ``c``."""
    flags = [key for bit, key in enumerate(FLAGS) if a >> bit & 1]
    segments = [key for bit, key in enumerate(SEGMENTS) if a >> (bit + 3) & 1]
    number = b * 256 + c
    made = []
    for index, key in enumerate(flags + segments):
        version = (number // 7 ** index) % 7
        options = (c >> index) & 0x55
        made.append(flag_item(key, version, options) if key in FLAGS else segment_item(key, version, options))
    return tuple(i for i in made if i.kind == "flags"), tuple(i for i in made if i.kind == "segments")
