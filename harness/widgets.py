"""The notebook explorer: ``harness.widgets.explore()`` (see :mod:`harness.views.widgets`).

    from harness.widgets import explore
    explore("scenarios/outages/cached_evaluations_during_outage.yaml", target="contract")

Needs the ``viz`` extra (matplotlib, ipywidgets).
"""

from .views.widgets import ROWS_SHOWN, Explorer, explore

__all__ = ["Explorer", "ROWS_SHOWN", "explore"]
