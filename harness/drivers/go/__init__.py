"""The Go SDK's targets, ``go`` (v7) and ``go-v6``, run out of process, and their releases.

:mod:`.build` builds the Go driver (shipped in ``driver/``) into a per-user
cache. Each scenario runs in its own ``testing/synctest`` bubble, whose clock
the run's virtual clock moves, so the SDK's own timers — the persistent
store's availability poller, the outage logger — fire at the kit's virtual
instants. The protocol is :mod:`harness.drivers.protocol`'s.

The families :data:`GO_FAMILY` (``go@v7.5.0``, ``go@v6.1.0``: the major picks
the module) and :data:`GO_V6_FAMILY` (``go-v6@v6.1.0``) run any served v6 or
v7 release (:mod:`.family`).
"""

from .build import V6, V7, Flavour
from .family import GoFamily
from .target import GoTarget, build_targets

GO = GoTarget("go", V7, "the Go SDK's real LDClient and DataSourceUpdateSinkImpl (v7), out of process, "
                        "on a testing/synctest clock")
GO_V6 = GoTarget("go-v6", V6, "the same on github.com/launchdarkly/go-server-sdk/v6")

GO_FAMILY = GoFamily("go", (6, 7))
GO_V6_FAMILY = GoFamily("go-v6", (6,), part_of="go")

__all__ = ["GO", "GO_FAMILY", "GO_V6", "GO_V6_FAMILY", "Flavour", "GoFamily", "GoTarget", "build_targets"]
