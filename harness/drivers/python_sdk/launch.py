"""Start the Python driver (:mod:`.driver`) in a release's environment: ``python -I launch.py MODE``.

The release's environment holds that release of the SDK and freezegun, and
nothing of the kit: no pandas, no YAML. The kit's package ``__init__`` files
import those, so the driver cannot import its modules the usual way. Instead
:func:`import_kit_leaves` registers the kit's packages as bare modules whose
``__path__`` is their folder, without running their ``__init__``; importing a
leaf module (``harness.drivers.python_sdk.sync``) then loads only that module
and the leaves it imports itself. The kit's folder is never put on
``sys.path`` (it may be a site-packages holding another SDK release), and
``-I`` keeps this folder, ``PYTHONPATH`` and user site-packages off it too.

This file is a script, not a module of the package: it imports nothing of
the kit until the packages are registered.
"""

import os
import sys
import types


def import_kit_leaves(kit: str) -> None:
    """Register every package under ``kit/harness`` as an empty module with the right ``__path__``,
    so its leaf modules import without their package's ``__init__`` (a test keeps those leaves free
    of pandas). Relative imports inside the leaves resolve through these modules as usual."""
    for folder, subfolders, files in os.walk(os.path.join(kit, "harness")):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith(("_", ".")))
        if "__init__.py" not in files:
            continue
        name = os.path.relpath(folder, kit).replace(os.sep, ".")
        package = types.ModuleType(name, f"the kit's package {name}, its __init__ not run")
        package.__path__ = [folder]
        package.__package__ = name
        sys.modules[name] = package


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    import_kit_leaves(os.path.dirname(os.path.dirname(os.path.dirname(here))))
    from harness.drivers.python_sdk.driver import main
    sys.exit(main(sys.argv[1:]))
