"""The ``contract`` target: an executable model of the documented sink contract.

:mod:`.model` holds the rules (pure), :mod:`.evaluation` a small flag
evaluator for the kit's items, and :mod:`.target` plays a scenario on them.
"""
