"""Start the Python driver (:mod:`.driver`) in a release's environment: ``python -I launch.py MODE``.

The release's environment holds that release of the SDK and freezegun, and
nothing of the kit: no pandas, no YAML. A few of the kit's package ``__init__``
files wire up the kit's targets and import those (:data:`WIRING`), so the
driver cannot import its modules the usual way. Instead
:func:`import_kit_leaves` registers those as bare modules whose
``__path__`` is their folder, without running their ``__init__``; importing a
leaf module (``harness.drivers.python_sdk.sync``) then loads only that module,
the leaves it imports itself, and the light ``__init__`` of every other
package on the way (``harness.vocabulary.steps`` re-exports its step kinds). The kit's folder is never put on
``sys.path`` (it may be a site-packages holding another SDK release), and
``-I`` keeps this folder, ``PYTHONPATH`` and user site-packages off it too.

This file is a script, not a module of the package: it imports nothing of
the kit until the packages are registered.
"""

import os
import sys
import types


WIRING = ("harness", "harness.drivers", "harness.drivers.protocol", "harness.drivers.python_sdk")  # wire up targets


def import_kit_leaves(kit: str) -> None:
    """Register the wiring packages under ``kit`` as empty modules with the right ``__path__``, so the
    modules below them import without their ``__init__`` (a test keeps what the driver imports free
    of pandas). Relative imports resolve through these modules as usual."""
    for name in WIRING:
        package = types.ModuleType(name, f"the kit's package {name}, its __init__ not run")
        package.__path__ = [os.path.join(kit, *name.split("."))]
        package.__package__ = name
        sys.modules[name] = package


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    import_kit_leaves(os.path.dirname(os.path.dirname(os.path.dirname(here))))
    from harness.drivers.python_sdk.driver import main
    sys.exit(main(sys.argv[1:]))
