"""Replay machinery that knows no SDK: the virtual clock and how scenarios drive a target.

:mod:`.clock` (virtual time and timers), :mod:`.freeze` (the clock shown to
code under test through freezegun), :mod:`.play` (step semantics),
:mod:`.source` (the simulated data source and the sink boundary),
:mod:`.faults` (store faults) and :mod:`.recording` (what a run observed, as
plain rows with named columns).
"""
