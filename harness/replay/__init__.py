"""Replay machinery that knows no SDK: the virtual clock and how scenarios drive a target.

:mod:`.clock` (virtual time and timers), :mod:`.freeze` (the clock shown to
code under test through freezegun), :mod:`.interrupts` (a Ctrl-C stops a run
at its next safe point), :mod:`.play` (step semantics, and the one owner of a
run's recording),
:mod:`.source` (the simulated data source and the sink boundary),
:mod:`.faults` (store faults) and :mod:`.recording` (what a run observed, as
plain rows with named columns).
"""
