"""The Go SDK's targets, ``go`` (v7) and ``go-v6``, run out of process.

:mod:`.build` builds the Go driver (shipped in ``driver/``) into a per-user
cache, :mod:`.process` speaks the JSON-lines protocol with it
(docs/driver-protocol.md), and :mod:`.target` turns a scenario into commands.
"""

from .build import V6, V7
from .target import GoTarget

GO = GoTarget("go", V7, "the Go SDK's real LDClient and DataSourceUpdateSinkImpl (v7), out of process, "
                        "on a testing/synctest clock")
GO_V6 = GoTarget("go-v6", V6, "the same on the Go SDK v6, the major version the seed documents")
