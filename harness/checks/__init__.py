"""Judging a run, from its recording alone (pure: no pandas, YAML or SDK).

:mod:`.expectations` (a scenario's ``expect:`` block) and :mod:`.checkers`
(invariants every run must keep).
"""
