"""The Node server SDK's target, ``node``, run out of process, and its releases.

:mod:`.build` installs the Node driver (shipped in ``driver/``: a small
JavaScript program, its ``package.json`` and ``package-lock.json``) into a
per-user cache with ``npm ci``. The driver builds a real client through the
SDK's public options (a custom ``updateProcessor`` hands it the SDK's update
sink, ``featureStore`` carries the store) on ``@sinonjs/fake-timers``, whose
clock the run's virtual clock moves. Node's FDv1 client has no data source
status and no data store status, so the driver names those frames
unavailable in its hello (docs/driver-protocol.md).

The family :data:`NODE_FAMILY` (``node@9.12.0``, ranges) runs any 9.x release
npm's registry serves (:mod:`.family`).
"""

from .build import NodeRelease
from .family import NodeFamily
from .target import NodeTarget

NODE = NodeTarget("node", NodeRelease(), "the Node server SDK's real LDClient and DataSourceUpdates, out of "
                                         "process, on @sinonjs/fake-timers")
NODE_FAMILY = NodeFamily("node")

__all__ = ["NODE", "NODE_FAMILY", "NodeFamily", "NodeRelease", "NodeTarget"]
