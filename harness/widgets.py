"""The notebook explorer: ``harness.widgets.explore()`` (see :mod:`harness.views.widgets`).

    from harness.widgets import explore
    explore("scenarios/outages/cached_evaluations_during_outage.yaml", target="contract")

Needs the ``viz`` extra (matplotlib, ipywidgets).
"""

from .views.extras import need

need("matplotlib", "harness.widgets")
need("ipywidgets", "harness.widgets")

from .views.widgets import ROWS_SHOWN, Explorer, explore  # noqa: E402

__all__ = ["Explorer", "ROWS_SHOWN", "explore"]
