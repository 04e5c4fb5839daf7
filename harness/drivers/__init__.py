"""Drivers: what runs each target a scenario can run on, and the registry of targets.

- :mod:`.registry` — the ``Target`` interface and the targets by name;
- :mod:`.contract` — the executable contract model (pure Python);
- :mod:`.python_sdk` — the Python SDK's sync and async clients and sinks;
- :mod:`.go` — the Go SDK's client and sink (v7 and v6), out of process;
- :mod:`.node` — the Node server SDK's client and sink, out of process.

A new target family gets its own sub-package here and one
:func:`~.registry.register_target` call below.
"""

from .contract.target import ContractTarget
from .go import GO, GO_FAMILY, GO_V6, GO_V6_FAMILY
from .node import NODE, NODE_FAMILY
from .python_sdk import ASYNC, SYNC
from .python_sdk.family import SDK_ASYNC_FAMILY, SDK_FAMILY
from .registry import (Availability, Target, all_targets, expand_targets, families, get_target, prepare_targets,
                       refusal, register_family, register_target, release_target, targets, unregister_target)

register_target(SYNC)
register_target(ASYNC)
register_target(ContractTarget())
register_target(GO)
register_target(GO_V6)
register_target(NODE)
register_family(GO_FAMILY)
register_family(GO_V6_FAMILY)
register_family(NODE_FAMILY)
register_family(SDK_FAMILY)
register_family(SDK_ASYNC_FAMILY)

__all__ = ["Availability", "Target", "all_targets", "expand_targets", "families", "get_target", "prepare_targets",
           "refusal", "register_family", "register_target", "release_target", "targets", "unregister_target"]
