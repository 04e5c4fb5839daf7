"""The step vocabulary: every step kind declared once, in :data:`STEP_KINDS`.

- :mod:`.declaration`: how a step kind is declared (:func:`step_kind`,
  :func:`option`) and every form derived from its declaration;
- :mod:`.forms`: how an option's value is written (durations, keys, errors, ...);
- :mod:`.writes`: ``upsert``, ``delete``, ``init``;
- :mod:`.status`: ``status``, ``store_down``, ``store_up``;
- :mod:`.timing`: ``wait``, and :class:`Step` (an action with ``at`` or ``after``);
- :mod:`.client`: ``listen``, ``evaluate``;
- :mod:`.stream`: ``disconnect``, ``reconnect``, ``stop``;
- :mod:`.drawing`: the values generated steps are drawn from.

The modules are imported in this order, which is the order of the registry, of
the published schema and of the generation table (``upsert`` first: a zero
byte is the plainest step). Pure: no YAML, no pandas, no SDK. Adding a step
kind: see docs/architecture.md.
"""

from .declaration import (MAPPING, STEP_KINDS, TIMING_KEYS, VALUE, VALUE_OR_MAPPING, Action, Param, handler_name,
                          option, step_kind, when_declared)
from .writes import Delete, Init, Upsert
from .status import Status, StoreDown, StoreUp
from .timing import TIMING_DOCS, Step, Wait
from .client import Evaluate, Listen
from .stream import Disconnect, Reconnect, Stop

__all__ = ["MAPPING", "STEP_KINDS", "TIMING_DOCS", "TIMING_KEYS", "VALUE", "VALUE_OR_MAPPING", "Action", "Param",
           "handler_name", "option", "step_kind", "when_declared", "Upsert", "Delete", "Init", "Status", "StoreDown",
           "StoreUp", "Wait", "Step", "Listen", "Evaluate", "Disconnect", "Reconnect", "Stop"]
