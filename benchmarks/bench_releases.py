"""Go SDK releases: asking the proxy about them, and building one release's driver, cold and warm (issue 16).

Run: ``make bench`` (or ``python benchmarks/bench_releases.py``). Prints figures;
asserts nothing. Everything runs in an empty kit cache in a temporary folder,
so nothing the kit has built is used; Go's module cache (downloads) is shared.

- asking: one ``go mod download -json`` about every v6 and v7 release (cold:
  no answers on disk), then the same listing from the answers on disk (warm).
  Goal for warm: under 0.1 s, and no network.
- building one release (``--release``, default v7.5.0) with ``go test -c``:
  cold (an empty ``GOCACHE``: the standard library and the SDK compiled),
  again with Go's cache warm but nothing built by the kit, and warm (already
  built: the cache hit). Goal for the cache hit: under 0.1 s.
  ``--keep-go-cache`` uses Go's own cache instead of an empty one (short runs).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile

from harness.drivers.go import GoFamily, build
from harness.drivers.go.build import FLAVOURS, ensure_built
from harness.drivers.releases import Version
from harness.replay.freeze import real_perf_counter


def timed(call) -> tuple[float, object]:
    start = real_perf_counter()
    value = call()
    return real_perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", default="v7.5.0")
    parser.add_argument("--keep-go-cache", action="store_true", help="build with Go's own cache, not an empty one")
    args = parser.parse_args()
    go, go_version = build.go_toolchain()
    own_go_cache = subprocess.run([go, "env", "GOCACHE"], capture_output=True, text=True, check=True).stdout.strip()
    version = Version.parse(args.release)
    with tempfile.TemporaryDirectory() as kit_cache, tempfile.TemporaryDirectory() as empty_go_cache:
        os.environ["XDG_CACHE_HOME"] = kit_cache  # the kit's cache (and the probe's answers) start empty
        os.environ["GOCACHE"] = own_go_cache if args.keep_go_cache else empty_go_cache

        cold, releases = timed(lambda: GoFamily("go", (6, 7)).releases())
        warm, _ = timed(lambda: GoFamily("go", (6, 7)).releases())
        served = sum(release.served for release in releases)
        print(f"{'ask about the releases:':<40}{len(releases)} releases, {served} served here; cold {cold:.2f} s, "
              f"warm {warm * 1000:.1f} ms (goal <= 0.1 s)")

        flavour = FLAVOURS[version.major].at(version.text)
        label = "the Go cache as it is" if args.keep_go_cache else "an empty Go cache"
        first, binary = timed(lambda: ensure_built(flavour, progress=False))
        print(f"{f'build go@{version}, {label}:':<40}{first:.1f} s ({go_version}; downloads not counted)")
        shutil.rmtree(binary.parent)  # the kit forgets it; Go's cache remembers
        rebuilt, _ = timed(lambda: ensure_built(flavour, progress=False))
        print(f"{f'build go@{version}, Go cache warm:':<40}{rebuilt:.1f} s (its packages in Go's cache; "
              "the kit's binary removed)")
        hit, _ = timed(lambda: ensure_built(flavour, progress=False))
        print(f"{f'build go@{version}, already built:':<40}{hit * 1000:.1f} ms (the cache hit; goal <= 0.1 s)")


if __name__ == "__main__":
    main()
